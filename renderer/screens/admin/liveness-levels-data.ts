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
          of: 26,
          rate: 0.038461538461538464,
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
          of: 7,
          rate: 0,
        },
      },
      seconds: 0.024,
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
          of: 26,
          rate: 0.038461538461538464,
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
          of: 7,
          rate: 0,
        },
      },
      seconds: 0.024,
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
          of: 26,
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
          count: 4,
          of: 7,
          rate: 0.5714285714285714,
        },
      },
      seconds: 1.646,
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
          of: 26,
          rate: 0.038461538461538464,
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
          of: 7,
          rate: 0,
        },
      },
      seconds: 0.024,
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
          count: 11,
          of: 26,
          rate: 0.4230769230769231,
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
          of: 7,
          rate: 0,
        },
      },
      seconds: 1.5,
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
          count: 0.5,
          of: 26,
          rate: 0.019230769230769232,
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
          count: 4,
          of: 7,
          rate: 0.5714285714285714,
        },
      },
      seconds: 1.5,
    },
  ],
};
