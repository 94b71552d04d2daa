// The entry point Zapier runs. `zapier-platform build` adds zapierwrapper.js next to this file, and it loads
// exactly this path: createAppHandler(path.resolve(__dirname, 'index.js')). Without this file the zip holds no
// app code (../shared/zapier-platform.md §0). The app is TypeScript compiled to dist/ (`npm run build`), so, as in
// Zapier's TypeScript scaffold, this file only hands over the compiled definition (index.ts ends in `export =`).
module.exports = require('./dist/index.js');
