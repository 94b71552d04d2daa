// npm scripts run on the Node 22 that the `node` devDependency puts first on PATH (Zapier's runtime for core 19).
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`Found Node ${process.version}, but this project runs on Node 22 (Zapier's runtime). Run \`npm ci\` to install the node@22 devDependency, then use npm scripts.`);
  process.exit(1);
}
