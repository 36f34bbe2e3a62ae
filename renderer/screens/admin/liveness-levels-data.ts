// Written by scripts/liveness-table.mjs from a run of `npm run bench` (section
// 'Liveness levels (PAD samples)'): do not edit by hand.
import type { LivenessLevelsTable } from './liveness-levels-table.js';

export const MEASURED: LivenessLevelsTable = {
  rows: [
    {
      row: 'before levels (per frame)',
      apcer: {
        print: {
          count: 0,
          of: 1,
          rate: 0,
        },
        replay: {
          count: 1,
          of: 13,
          rate: 0.07692307692307693,
        },
        mask: {
          count: 3,
          of: 5,
          rate: 0.6,
        },
        unknown: {
          count: 5,
          of: 23,
          rate: 0.21739130434782608,
        },
      },
      bpcer: {
        cameraStills: {
          count: 0,
          of: 12,
          rate: 0,
        },
        webStills: {
          count: 2,
          of: 18,
          rate: 0.1111111111111111,
        },
        footage: {
          count: 0,
          of: 0,
          rate: null,
        },
      },
      seconds: 0.036,
      clips: null,
    },
    {
      row: 'standard',
      apcer: {
        print: {
          count: 0,
          of: 1,
          rate: 0,
        },
        replay: {
          count: 1,
          of: 14,
          rate: 0.07142857142857142,
        },
        mask: {
          count: 3,
          of: 5,
          rate: 0.6,
        },
        unknown: {
          count: 5,
          of: 23,
          rate: 0.21739130434782608,
        },
      },
      bpcer: {
        cameraStills: {
          count: 0,
          of: 12,
          rate: 0,
        },
        webStills: {
          count: 2,
          of: 18,
          rate: 0.1111111111111111,
        },
        footage: {
          count: 0,
          of: 1,
          rate: 0,
        },
      },
      seconds: 0.036,
      clips: {
        gatedOut: {
          count: 3,
          of: 15,
          rate: 0.2,
        },
        bpcer: {
          count: 0,
          of: 12,
          rate: 0,
        },
        apcerReplay: {
          count: 1,
          of: 3,
          rate: 0.3333333333333333,
        },
        within3s: {
          count: 12,
          of: 12,
          rate: 1,
        },
        within8s: {
          count: 12,
          of: 12,
          rate: 1,
        },
      },
    },
    {
      row: 'high',
      apcer: {
        print: {
          count: 0,
          of: 1,
          rate: 0,
        },
        replay: {
          count: 0,
          of: 14,
          rate: 0,
        },
        mask: {
          count: 0,
          of: 5,
          rate: 0,
        },
        unknown: {
          count: 0,
          of: 23,
          rate: 0,
        },
      },
      bpcer: {
        cameraStills: {
          count: 0,
          of: 0,
          rate: null,
        },
        webStills: {
          count: 0,
          of: 0,
          rate: null,
        },
        footage: {
          count: 0,
          of: 1,
          rate: 0,
        },
      },
      seconds: 0.484,
      clips: {
        gatedOut: {
          count: 0,
          of: 5,
          rate: 0,
        },
        bpcer: {
          count: 0,
          of: 5,
          rate: 0,
        },
        apcerReplay: {
          count: 1,
          of: 3,
          rate: 0.3333333333333333,
        },
        within3s: {
          count: 4,
          of: 5,
          rate: 0.8,
        },
        within8s: {
          count: 5,
          of: 5,
          rate: 1,
        },
      },
    },
    {
      row: 'layer 1 passive',
      apcer: {
        print: {
          count: 0,
          of: 1,
          rate: 0,
        },
        replay: {
          count: 1,
          of: 14,
          rate: 0.07142857142857142,
        },
        mask: {
          count: 3,
          of: 5,
          rate: 0.6,
        },
        unknown: {
          count: 5,
          of: 23,
          rate: 0.21739130434782608,
        },
      },
      bpcer: {
        cameraStills: {
          count: 0,
          of: 12,
          rate: 0,
        },
        webStills: {
          count: 2,
          of: 18,
          rate: 0.1111111111111111,
        },
        footage: {
          count: 0,
          of: 1,
          rate: 0,
        },
      },
      seconds: 0.036,
      clips: null,
    },
    {
      row: 'layer 2 structure',
      apcer: {
        print: {
          count: 0,
          of: 1,
          rate: 0,
        },
        replay: {
          count: 1,
          of: 14,
          rate: 0.07142857142857142,
        },
        mask: {
          count: 0,
          of: 5,
          rate: 0,
        },
        unknown: {
          count: 0,
          of: 23,
          rate: 0,
        },
      },
      bpcer: {
        cameraStills: {
          count: 0,
          of: 0,
          rate: null,
        },
        webStills: {
          count: 0,
          of: 0,
          rate: null,
        },
        footage: {
          count: 0,
          of: 1,
          rate: 0,
        },
      },
      seconds: 0.4,
      clips: null,
    },
    {
      row: 'layer 3 challenge',
      apcer: {
        print: {
          count: 0,
          of: 1,
          rate: 0,
        },
        replay: {
          count: 0,
          of: 13,
          rate: 0,
        },
        mask: {
          count: 0,
          of: 5,
          rate: 0,
        },
        unknown: {
          count: 0,
          of: 23,
          rate: 0,
        },
      },
      bpcer: {
        cameraStills: {
          count: 0,
          of: 0,
          rate: null,
        },
        webStills: {
          count: 0,
          of: 0,
          rate: null,
        },
        footage: {
          count: 0,
          of: 0,
          rate: null,
        },
      },
      seconds: 0.4,
      clips: null,
    },
    {
      row: 'screen frame cue',
      apcer: {
        print: {
          count: 1,
          of: 1,
          rate: 1,
        },
        replay: {
          count: 9,
          of: 14,
          rate: 0.6428571428571429,
        },
        mask: {
          count: 5,
          of: 5,
          rate: 1,
        },
        unknown: {
          count: 22,
          of: 23,
          rate: 0.9565217391304348,
        },
      },
      bpcer: {
        cameraStills: {
          count: 0,
          of: 12,
          rate: 0,
        },
        webStills: {
          count: 0,
          of: 18,
          rate: 0,
        },
        footage: {
          count: 0,
          of: 1,
          rate: 0,
        },
      },
      seconds: 0.036,
      clips: {
        gatedOut: {
          count: 3,
          of: 15,
          rate: 0.2,
        },
        bpcer: {
          count: 0,
          of: 12,
          rate: 0,
        },
        apcerReplay: {
          count: 3,
          of: 3,
          rate: 1,
        },
        within3s: {
          count: 12,
          of: 12,
          rate: 1,
        },
        within8s: {
          count: 12,
          of: 12,
          rate: 1,
        },
      },
    },
  ],
};
