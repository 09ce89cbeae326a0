// `npm start`: installs what is missing, builds, and runs the bot. Without credentials it runs in local
// mode: the Graph sandbox, the bot and the Agents Playground.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { build, ensureDependencies, root, runtime, runtimeEnv } from './setup.mjs';

ensureDependencies();
build();
const child = spawn(runtime(), [path.join(root, 'dist', 'src', 'main.js')], {
  cwd: root,
  stdio: 'inherit',
  env: runtimeEnv(),
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
