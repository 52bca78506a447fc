// esbuild bundles the CSS a panel's entry imports into dist/webview/<panel>.css; the import has no value.
declare module '*.css';
