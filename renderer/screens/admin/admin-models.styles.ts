// The model manager's layout: engine bar, packs table, progress rows and the licence box.
import { css } from 'lit';

export const modelsStyles = css`
  .engine {
    display: flex;
    flex-wrap: wrap;
    gap: 0.8rem 2rem;
    align-items: center;
    justify-content: space-between;
    padding: 0.7rem 0.9rem;
    background: #151c33;
    border: 1px solid #26305a;
    border-radius: 0.6rem;
    margin-bottom: 0.8rem;
  }
  .status {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem;
    align-items: center;
  }
  .status[data-state='error'] strong {
    color: #ff8a80;
  }
  .status[data-state='ready'] strong {
    color: #7ee2a8;
  }
  .options label {
    display: flex;
    gap: 0.4rem;
    align-items: center;
  }
  .options {
    gap: 1rem;
  }
  .toolbar {
    margin: 1rem 0 0.4rem;
  }
  .toolbar h2 {
    margin: 0;
  }
  .spacer {
    flex: 1;
  }
  .pack-name {
    font-weight: 600;
  }
  .desc,
  .lic {
    font-size: 0.82rem;
    max-width: min(34rem, 30vw);
  }
  /* The licence can be long: one line here, the whole text on hover and before download. */
  .lic {
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    color: #ffd180;
  }
  .recognizer {
    overflow-wrap: anywhere;
    max-width: 12rem;
  }
  .states {
    gap: 0.3rem;
    max-width: 11rem;
  }
  .badge.kind {
    background: transparent;
    border: 1px solid #3a4775;
  }
  .num,
  .nowrap {
    white-space: nowrap;
    font-variant-numeric: tabular-nums;
  }
  .badge.active {
    background: #2a6df4;
    color: #fff;
  }
  .actions .row {
    justify-content: flex-end;
    gap: 0.35rem;
  }
  .actions button {
    font-size: 0.88rem;
    padding: 0.3rem 0.6rem;
  }
  .progress {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.8rem;
  }
  progress {
    flex: 1 1 16rem;
    height: 1rem;
    accent-color: #4fc3f7;
  }
  .pct {
    font-variant-numeric: tabular-nums;
    min-width: 3rem;
  }
  .license {
    padding: 0.8rem 1rem;
    border: 1px solid #8a5a00;
    background: #2a2110;
    border-radius: 0.6rem;
    margin: 0.6rem 0;
  }
  .license h3 {
    margin-top: 0;
    color: #ffd180;
  }
  .setup-defaults {
    padding: 0.8rem 1rem;
    border: 1px solid #2a6df4;
    background: #13203f;
    border-radius: 0.6rem;
    margin: 0.6rem 0;
  }
  .setup-defaults p {
    margin: 0 0 0.6rem;
  }
  .notice .row {
    margin-top: 0.5rem;
  }
  .root {
    font-size: 0.85rem;
    overflow-wrap: anywhere;
  }
`;
