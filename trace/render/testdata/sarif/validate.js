// Usage: node validate.js SCHEMA FILE...
// Validates each FILE against the JSON schema SCHEMA (draft-04) with ajv,
// in strict mode with every format checked. Prints one line per error and
// exits 1 if any file is invalid, 2 on a usage or load error.
"use strict";
const fs = require("fs");
let Ajv, addFormats;
try {
  Ajv = require("ajv-draft-04");
  addFormats = require("ajv-formats");
} catch (e) {
  console.error("validate.js: " + e.message);
  process.exit(2);
}
if (process.argv.length < 4) {
  console.error("usage: node validate.js SCHEMA FILE...");
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const f of process.argv.slice(3)) {
  const doc = JSON.parse(fs.readFileSync(f, "utf8"));
  if (!validate(doc)) {
    bad++;
    for (const e of validate.errors) {
      console.log(f + ": " + (e.instancePath || "/") + " " + e.message + " " + JSON.stringify(e.params));
    }
  }
}
process.exit(bad ? 1 : 0);
