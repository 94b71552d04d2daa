/**
 * Lets a child process started by a test run the relay's TypeScript directly (`node -r ./test/relay/ts-register.js`),
 * so crash tests can `kill -9` a real relay process without a build step. Transpile only, like ts-jest here;
 * `npm test` type-checks everything first.
 */
const { readFileSync } = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
  });
  module._compile(outputText, filename);
};
