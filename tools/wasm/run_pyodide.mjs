// Run a Python script on Pyodide (CPython compiled to WebAssembly) under Node, offline.
//
//   node tools/wasm/run_pyodide.mjs PACKAGE_DIR SCRIPT.py      # copy a source tree in
//   node tools/wasm/run_pyodide.mjs WHEEL.whl SCRIPT.py        # unpack a built wheel
//
// Pyodide comes from the pinned npm package next to this file (`npm ci` in tools/wasm), the
// same version the JupyterLite edition's kernel loads. Nothing is fetched: no micropip, no
// CDN, no package downloads. The library goes into Pyodide's in-memory filesystem, either
// as the files of a package folder (written under /home/pyodide, the working directory, so
// `import paxos_lib` finds them) or by unpacking a wheel into site-packages. The script's
// stdout is printed as it is; a Python exception exits with status 1 and its traceback.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { loadPyodide } from "pyodide";

function usage(message) {
  console.error(`run_pyodide: ${message}`);
  console.error("usage: node run_pyodide.mjs (PACKAGE_DIR | WHEEL.whl) SCRIPT.py");
  process.exit(2);
}

function* filesUnder(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "__pycache__") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* filesUnder(path);
    else if (!name.endsWith(".pyc")) yield path;
  }
}

const [library, script] = process.argv.slice(2);
if (!library || !script) usage("two arguments needed");

const out = [];
const pyodide = await loadPyodide({
  stdout: (line) => out.push(line),
  stderr: (line) => console.error(line),
});

try {
  if (library.endsWith(".whl")) {
    // Pyodide wants a plain Uint8Array, not Node's Buffer subclass.
    // Into site-packages, as an install would (the default is the working directory).
    const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
    pyodide.unpackArchive(new Uint8Array(readFileSync(library)), "wheel", {
      extractDir: sitePackages,
    });
  } else {
    if (!statSync(library).isDirectory()) usage(`${library} is neither a folder nor a .whl`);
    const top = join("/home/pyodide", basename(library));
    for (const path of filesUnder(library)) {
      const target = join(top, relative(library, path));
      pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
      pyodide.FS.writeFile(target, new Uint8Array(readFileSync(path)));
    }
  }
  await pyodide.runPythonAsync(readFileSync(script, "utf8"), { filename: script });
} catch (error) {
  // The message only: an uncaught error would print Pyodide's minified source as well.
  console.error(String(error));
  process.exit(1);
}
process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
