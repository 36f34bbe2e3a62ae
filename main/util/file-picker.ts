// File dialogs live in main: the renderer never names a path. The Electron shell shows real
// dialogs (electron/build-services.ts); tests answer from a queue.
export type PickRequest = { kind: 'zip' | 'folder' | 'images' } | { kind: 'save'; defaultName: string };
export type FilePicker = (request: PickRequest) => Promise<string[] | null>;
