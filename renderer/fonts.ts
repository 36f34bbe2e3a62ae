// The UI's one font family. BIZ UDPGothic ships with the app (scripts/build.mjs
// copies it from @fontsource into dist/renderer/fonts and writes fonts.css), so
// Japanese never falls back to a system font that a fresh machine lacks. The
// canvas overlays name it too: a canvas does not inherit CSS fonts.
export const UI_FONT_FAMILY = "'BIZ UDPGothic', system-ui, sans-serif";
