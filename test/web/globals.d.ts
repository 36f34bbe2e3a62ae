import type { TobiraApi } from '../../preload/contract/index.js';

declare global {
  interface Window {
    tobira: TobiraApi;
  }
}
