/** Ops files the Worker bundles as text (wrangler.toml [[rules]] type Text; vitest.config.ts does the same). */
declare module '*.yaml' {
  const text: string;
  export default text;
}
