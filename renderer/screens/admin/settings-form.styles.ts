// The settings sections' form layout, shared by the settings panel and the door section.
import { css } from 'lit';

export const settingsFormStyles = css`
  :host {
    display: grid;
    gap: 1rem;
    max-width: 900px;
  }
  section {
    background: #151c33;
    border: 1px solid #26305a;
    border-radius: 0.6rem;
    padding: 0.9rem 1.1rem;
  }
  section > h2 {
    margin-bottom: 0.6rem;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
    gap: 0.8rem 1.2rem;
    align-items: end;
    margin-bottom: 0.8rem;
  }
  label,
  .field {
    display: grid;
    gap: 0.3rem;
    font-size: 0.92rem;
    color: #c7d0ee;
  }
  label.check {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    color: inherit;
    min-height: 2.2rem;
  }
  label.check input {
    width: 1.15rem;
    height: 1.15rem;
  }
  .field .row {
    flex-wrap: nowrap;
  }
  .field input[type='number'] {
    width: 6rem;
  }
  .wide {
    grid-column: 1 / -1;
  }
  .notice {
    margin-bottom: 0;
  }
`;
