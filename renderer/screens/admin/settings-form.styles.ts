// The settings sections' form layout, shared by the settings panel and the door section.
import { css } from 'lit';

export const settingsFormStyles = css`
  :host {
    display: grid;
    gap: 1rem;
    max-width: 900px;
  }
  section,
  details.group {
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
    gap: 0.6rem;
    color: inherit;
    min-height: 44px;
  }
  /* Each option with its own help text right under its checkbox, indented to the label's text. */
  .options {
    display: grid;
    gap: 0.9rem;
    margin-bottom: 0.8rem;
  }
  .option .hint {
    margin: 0.1rem 0 0 calc(26px + 0.6rem);
    font-size: 0.88rem;
    line-height: 1.45;
    max-width: 46rem;
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
  /* A folded group (Advanced): a finger-sized summary with its own open/closed mark. */
  details > summary {
    min-height: 44px;
    display: flex;
    align-items: center;
    cursor: pointer;
  }
  details > summary::before {
    content: '▸';
    margin-right: 0.5rem;
  }
  details[open] > summary::before {
    content: '▾';
  }
`;
