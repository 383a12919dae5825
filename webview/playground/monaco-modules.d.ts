// monaco-editor ships the Python grammar without types: its two exports, as monaco declares them.
declare module 'monaco-editor/languages/definitions/python/python' {
  import type { languages } from 'monaco-editor/editor';
  export const conf: languages.LanguageConfiguration;
  export const language: languages.IMonarchLanguage;
}

// The bundled example notebooks (esbuild's text loader, scripts/build.mjs).
declare module '*.rnnlab' {
  const text: string;
  export default text;
}
