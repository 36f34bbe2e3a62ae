import { css } from 'lit';

export const cameraViewStyles = css`
  :host {
    position: relative;
    display: block;
    background: #000;
    overflow: hidden;
  }
  canvas {
    width: 100%;
    height: 100%;
    display: block;
  }
  .message {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    padding: 2rem;
    text-align: center;
    font-size: 1.4rem;
    color: #e8ecf8;
    background: rgba(11, 16, 32, 0.85);
  }
`;
