#!/usr/bin/env node
// validate-spdx.js SCHEMA FILE: validate an SPDX 2.3 JSON document against
// a JSON schema (the SPDX 2.3 draft-07 schema, ../shared/schemas/
// spdx-2.3.schema.json) with ajv and ajv-formats, reporting every error;
// then check what the SPDX 2.3 text requires and that schema does not
// (the 2.3.1 schema checks some of it): SPDX ids are "SPDXRef-" and
// letters, digits, '.' and '-', and unique; relationships name elements
// of the document; times are YYYY-MM-DDThh:mm:ssZ; documentNamespace is an
// absolute URI without '#'; checksum values are hex of the right length,
// and files carry a SHA1 (8.4); packages whose files were analysed have a
// verification code; licence expressions parse against the SPDX licence
// list (spdx-expression-parse) and their LicenseRefs are defined.
//
// Exit 0 when valid; 1 with the errors on standard error when not; 2 when
// a file cannot be read or the validator cannot run (missing node_modules:
// run `npm ci` in tests/sbom, as scripts/setup does).
'use strict';

const fs = require('fs');

function fail(status, msg) {
	process.stderr.write(`validate-spdx: ${msg}\n`);
	process.exit(status);
}

function load(name) {
	try {
		return require(name);
	} catch (e) {
		fail(2, `${name} is not installed (run npm ci in tests/sbom): ${e.message}`);
	}
}

function readJson(file, status) {
	let text;
	try {
		text = fs.readFileSync(file, 'utf-8');
	} catch (e) {
		fail(2, `${file}: ${e.message}`);
	}
	try {
		return JSON.parse(text);
	} catch (e) {
		fail(status, `${file}: not JSON: ${e.message}`);
	}
}

const HEX = { SHA1: 40, SHA224: 56, SHA256: 64, SHA384: 96, SHA512: 128, MD5: 32 };
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

function textChecks(doc) {
	const parseLicense = load('spdx-expression-parse');
	const problems = [];
	const ids = new Set(['SPDXRef-DOCUMENT']);
	const refsDefined = new Set((doc.hasExtractedLicensingInfos || []).map(l => l.licenseId));
	if (doc.SPDXID !== 'SPDXRef-DOCUMENT')
		problems.push(`the document's SPDXID is ${JSON.stringify(doc.SPDXID)}, not "SPDXRef-DOCUMENT"`);
	if (doc.spdxVersion !== 'SPDX-2.3')
		problems.push(`spdxVersion is ${JSON.stringify(doc.spdxVersion)}, not "SPDX-2.3"`);
	if (doc.dataLicense !== 'CC0-1.0')
		problems.push(`dataLicense is ${JSON.stringify(doc.dataLicense)}, not "CC0-1.0"`);
	const ns = doc.documentNamespace;
	if (typeof ns !== 'string' || !/^[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+$/.test(ns))
		problems.push(`documentNamespace ${JSON.stringify(ns)} is not an absolute URI without '#'`);
	if (!doc.creationInfo || !TIME.test(doc.creationInfo.created || ''))
		problems.push('creationInfo.created is not YYYY-MM-DDThh:mm:ssZ');
	const elements = [...(doc.packages || []).map(p => ['package', p]),
		...(doc.files || []).map(f => ['file', f])];
	for (const [kind, e] of elements) {
		const id = e.SPDXID;
		if (!/^SPDXRef-[A-Za-z0-9.-]+$/.test(id || ''))
			problems.push(`${kind} SPDXID ${JSON.stringify(id)} is not SPDXRef- and [A-Za-z0-9.-]`);
		else if (ids.has(id))
			problems.push(`${kind} SPDXID ${id} is used twice`);
		ids.add(id);
		for (const c of e.checksums || []) {
			const n = HEX[c.algorithm];
			if (n !== undefined && !new RegExp(`^[0-9a-f]{${n}}$`).test(c.checksumValue))
				problems.push(`${id}: ${c.algorithm} ${JSON.stringify(c.checksumValue)} is not ${n} lowercase hex digits`);
		}
		if (kind === 'file' && !(e.checksums || []).some(c => c.algorithm === 'SHA1'))
			problems.push(`file ${id} has no SHA1 checksum (SPDX 2.3, 8.4)`);
		if (kind === 'package' && e.filesAnalyzed !== false && !e.packageVerificationCode)
			problems.push(`package ${id}: filesAnalyzed is not false and there is no packageVerificationCode`);
		for (const t of ['builtDate', 'releaseDate', 'validUntilDate'])
			if (e[t] !== undefined && !TIME.test(e[t]))
				problems.push(`${id}: ${t} ${JSON.stringify(e[t])} is not YYYY-MM-DDThh:mm:ssZ`);
		for (const f of ['licenseDeclared', 'licenseConcluded']) {
			const v = e[f];
			if (v === undefined || v === 'NOASSERTION' || v === 'NONE')
				continue;
			try {
				parseLicense(v);
			} catch (err) {
				problems.push(`${id}: ${f} ${JSON.stringify(v)} is not an SPDX licence expression: ${err.message}`);
				continue;
			}
			for (const ref of v.match(/LicenseRef-[A-Za-z0-9.-]+/g) || [])
				if (!refsDefined.has(ref))
					problems.push(`${id}: ${f} names ${ref}, which hasExtractedLicensingInfos does not define`);
		}
	}
	for (const r of doc.relationships || [])
		for (const end of [r.spdxElementId, r.relatedSpdxElement])
			if (!ids.has(end) && end !== 'NONE' && end !== 'NOASSERTION')
				problems.push(`relationship ${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}: ${end} is not in the document`);
	return problems;
}

if (process.argv.length !== 4)
	fail(2, 'usage: validate-spdx.js SCHEMA FILE');
const Ajv = load('ajv');
const addFormats = load('ajv-formats');
const schema = readJson(process.argv[2], 2);
const doc = readJson(process.argv[3], 1);
// strict: false because the SPDX schema has keywords ajv's strict mode
// refuses; allErrors so that every problem is listed at once.
const ajv = new (Ajv.default || Ajv)({ strict: false, allErrors: true });
(addFormats.default || addFormats)(ajv);
let validate;
try {
	validate = ajv.compile(schema);
} catch (e) {
	fail(2, `${process.argv[2]}: not a usable schema: ${e.message}`);
}
if (!validate(doc)) {
	process.stderr.write(`validate-spdx: ${process.argv[3]}: invalid against ${process.argv[2]}:\n` +
		`${JSON.stringify(validate.errors, null, 2)}\n`);
	process.exit(1);
}
const problems = textChecks(doc);
if (problems.length) {
	process.stderr.write(`validate-spdx: ${process.argv[3]}:\n${problems.map(p => `  ${p}\n`).join('')}`);
	process.exit(1);
}
process.stdout.write(`${process.argv[3]}: valid SPDX 2.3\n`);
