#!/usr/bin/env node
// validate-cyclonedx.js FILE: validate a CycloneDX 1.5 JSON document with
// the CycloneDX project's own JavaScript library (its JSON schema for 1.5
// and the ajv-based validator it ships), then check what the schema cannot
// express: every bom-ref is unique (the specification says MUST), every
// purl parses (packageurl-js), and every licence expression parses against
// the SPDX licence list (spdx-expression-parse).
//
// Exit 0 when valid; 1 with the errors on standard error when not; 2 when
// FILE cannot be read or the validator cannot run (missing node_modules:
// run `npm ci` in tests/sbom, as scripts/setup does).
'use strict';

const fs = require('fs');

function fail(status, msg) {
	process.stderr.write(`validate-cyclonedx: ${msg}\n`);
	process.exit(status);
}

function load(name) {
	try {
		return require(name);
	} catch (e) {
		fail(2, `${name} is not installed (run npm ci in tests/sbom): ${e.message}`);
	}
}

// Every component, wherever it is nested (metadata, components, tools).
function* components(doc) {
	const stack = [];
	if (doc.metadata && doc.metadata.component)
		stack.push(doc.metadata.component);
	for (const c of doc.components || [])
		stack.push(c);
	while (stack.length) {
		const c = stack.shift();
		yield c;
		for (const sub of c.components || [])
			stack.push(sub);
	}
}

function extraChecks(doc) {
	const { PackageURL } = load('packageurl-js');
	const parseLicense = load('spdx-expression-parse');
	const problems = [];
	const refs = new Map();
	for (const c of components(doc)) {
		const what = c['bom-ref'] || c.name;
		if (c['bom-ref'] !== undefined) {
			if (refs.has(c['bom-ref']))
				problems.push(`bom-ref ${JSON.stringify(c['bom-ref'])} is used twice`);
			refs.set(c['bom-ref'], true);
		}
		if (c.purl !== undefined) {
			try {
				PackageURL.fromString(c.purl);
			} catch (e) {
				problems.push(`${what}: purl ${JSON.stringify(c.purl)} does not parse: ${e.message}`);
			}
		}
		for (const l of c.licenses || []) {
			if (l.expression === undefined)
				continue;
			try {
				parseLicense(l.expression);
			} catch (e) {
				problems.push(`${what}: licence expression ${JSON.stringify(l.expression)} is not SPDX: ${e.message}`);
			}
		}
	}
	return problems;
}

async function main() {
	if (process.argv.length !== 3)
		fail(2, 'usage: validate-cyclonedx.js FILE');
	const file = process.argv[2];
	let text;
	try {
		text = fs.readFileSync(file, 'utf-8');
	} catch (e) {
		fail(2, `${file}: ${e.message}`);
	}
	const cdx = load('@cyclonedx/cyclonedx-library');
	let doc;
	try {
		doc = JSON.parse(text);
	} catch (e) {
		fail(1, `${file}: not JSON: ${e.message}`);
	}
	// The schema checks the version too, but say it plainly.
	if (doc === null || doc.bomFormat !== 'CycloneDX' || doc.specVersion !== '1.5')
		fail(1, `${file}: not a CycloneDX 1.5 document`);
	const validator = new cdx.Validation.JsonStrictValidator(cdx.Spec.Version.v1dot5);
	let errors;
	try {
		errors = await validator.validate(text);
	} catch (e) {
		fail(2, `the validator could not run: ${e.message}`);
	}
	if (errors !== null) {
		process.stderr.write(`validate-cyclonedx: ${file}: invalid CycloneDX 1.5:\n${JSON.stringify(errors, null, 2)}\n`);
		process.exit(1);
	}
	const problems = extraChecks(doc);
	if (problems.length) {
		process.stderr.write(`validate-cyclonedx: ${file}:\n${problems.map(p => `  ${p}\n`).join('')}`);
		process.exit(1);
	}
	process.stdout.write(`${file}: valid CycloneDX 1.5\n`);
}

main().catch(e => fail(2, e.stack || String(e)));
