/// <reference types="vite/client" />
interface ImportMetaEnv {
  /** Origin of the Worker API when the dashboard is not served by the Worker itself (e.g. a Pages deploy). */
  readonly VITE_API_ORIGIN?: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
