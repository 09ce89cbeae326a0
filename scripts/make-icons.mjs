// Draws manifest/color.png (192x192) and manifest/outline.png (32x32) with pngjs. Deterministic: run it again
// after changing the drawing in package-lib.js, and commit the PNGs it writes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import lib from './package-lib.js';

const { MANIFEST_DIR, drawColorIcon, drawOutlineIcon, checkIcon } = lib;

for (const [kind, name, draw] of [
  ['color', 'color.png', drawColorIcon],
  ['outline', 'outline.png', drawOutlineIcon],
]) {
  const png = draw();
  const problems = checkIcon(kind, name, png);
  if (problems.length > 0) {
    console.error(`The drawn ${kind} icon fails its own checks:\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  const file = path.join(MANIFEST_DIR, name);
  writeFileSync(file, png);
  console.log(`${path.relative(process.cwd(), file)} (${png.length} bytes)`);
}
