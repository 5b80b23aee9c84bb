/*
 * SBOMs from manifests: the exact CycloneDX 1.5 and SPDX 2.3 text for two
 * small handcrafted manifests (a Debian image with an epoch, a licence
 * that is SPDX, one that is Debian's, none, a wheel and a data file; an
 * RPM image with an epoch, an old-style licence, a LicenseRef, and two
 * names whose SPDX ids collide), package URLs, the licence-expression
 * check, the serial number, and every way a manifest can be malformed,
 * each with its message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gapimg/sbom.h"

/* 64 copies of a one-character string: a recognisable SHA-256. */
#define H8(c) c c c c c c c c
#define H64(c) H8(H8(c))

/* The texts below use ' for " to stay readable (none has a '). */
static char *dq(const char *s)
{
	char *t = strdup(s), *p;

	assert_non_null(t);
	for (p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	return t;
}

static const char deb_manifest[] =
	"{\n"
	" 'arch': 'amd64',\n"
	" 'compression': {'algorithm': 'zstd', 'block_size': 131072, 'level': 15},\n"
	" 'epoch': 1700000000,\n"
	" 'family': 'deb',\n"
	" 'files': [\n"
	"  {'path': '/opt/models/model.bin', "
	"  'provenance': 'trained by the ML team, run 42', "
	"  'sha256': '" H64("5") "', "
	"  'size': 3000000, 'source': 'data/model.bin'}\n"
	" ],\n"
	" 'image': {'bytes': 4096, 'file': 'node-2.1.sqfs', 'inodes': 12, "
	"'name': 'node', "
	"'sha256': '" H64("a") "', "
	"'version': '2.1'},\n"
	" 'libraries': {'gapimg': '0.1.0'},\n"
	" 'lock': {'digest': '" H64("c") "'},\n"
	" 'manifest': 1,\n"
	" 'mirrors': [\n"
	"  {'id': 'debian', "
	"  'metadata_sha256': '" H64("d") "', "
	"  'type': 'deb'},\n"
	"  {'id': 'pypi', "
	"  'metadata_sha256': '" H64("e") "', "
	"  'type': 'wheels'}\n"
	" ],\n"
	" 'packages': [\n"
	"  {'arch': 'amd64', 'license': 'GPL-2.0-only', "
	"  'location': 'pool/main/b/busybox-static_1.35.0-4+deb12u1_amd64.deb', "
	"  'mirror': 'debian', 'name': 'busybox-static', 'order': 1, "
	"  'sha256': '" H64("1") "', "
	"  'size': 928188, 'version': '1:1.35.0-4+deb12u1'},\n"
	"  {'arch': 'all', 'license': 'GPL-2+', "
	"  'location': 'pool/main/t/tzdata_2024a-0+deb12u1_all.deb', "
	"  'mirror': 'debian', 'name': 'tzdata', 'order': 2, "
	"  'sha256': '" H64("2") "', "
	"  'size': 255000, 'version': '2024a-0+deb12u1'},\n"
	"  {'arch': 'amd64', "
	"  'location': 'pool/main/libfoo1_0.9~rc1-2_amd64.deb', "
	"  'mirror': 'debian', 'name': 'libfoo1', 'order': 3, "
	"  'sha256': '" H64("3") "', "
	"  'size': 1000, 'version': '0.9~rc1-2'}\n"
	" ],\n"
	" 'python': {'bytecode': false, 'version': '3.11'},\n"
	" 'recipe': {'digest': '" H64("b") "', "
	"'name': 'node', 'version': '2.1'},\n"
	" 'scripts': 'none',\n"
	" 'sealed': {'network_namespace': true},\n"
	" 'wheels': [\n"
	"  {'license': 'MIT OR Apache-2.0', "
	"  'location': 'dotted_name-1!0.5-py3-none-any.whl', "
	"  'mirror': 'pypi', 'name': 'dotted-name', 'order': 4, "
	"  'sha256': '" H64("4") "', "
	"  'size': 1507, 'version': '1!0.5'}\n"
	" ]\n"
	"}\n";

static const char rpm_manifest[] =
	"{\n"
	" 'arch': 'x86_64',\n"
	" 'epoch': 0,\n"
	" 'family': 'rpm',\n"
	" 'files': [],\n"
	" 'image': {'bytes': 8192, 'file': 'el-9.sqfs', 'inodes': 3, 'name': 'el', "
	"'sha256': '" H64("f") "', "
	"'version': '9'},\n"
	" 'libraries': {'gapimg': '0.1.0'},\n"
	" 'lock': {'digest': ''},\n"
	" 'manifest': 1,\n"
	" 'packages': [\n"
	"  {'arch': 'x86_64', 'license': 'BSD and GPLv2+', "
	"  'location': 'Packages/s/shadow-utils-4.9-9.el9.x86_64.rpm', "
	"  'mirror': 'baseos', 'name': 'shadow-utils', 'order': 1, "
	"  'sha256': '" H64("6") "', "
	"  'size': 1234567, 'version': '2:4.9-9.el9'},\n"
	"  {'arch': 'noarch', 'license': 'LicenseRef-Local', "
	"  'location': 'foo+bar-1.0-1.noarch.rpm', 'mirror': 'local', "
	"  'name': 'foo+bar', 'order': 2, "
	"  'sha256': '" H64("7") "', "
	"  'size': 10, 'version': '1.0-1'},\n"
	"  {'arch': 'noarch', "
	"  'license': 'GPL-3.0-or-later WITH GCC-exception-3.1', "
	"  'location': 'foo-bar-1.0-1.noarch.rpm', 'mirror': 'local', "
	"  'name': 'foo-bar', 'order': 3, "
	"  'sha256': '" H64("8") "', "
	"  'size': 11, 'version': '1.0-1'}\n"
	" ],\n"
	" 'recipe': {'digest': '" H64("9") "', "
	"'name': 'el', 'version': '9'}\n"
	"}\n";

static const char deb_cyclonedx[] =
	"{\n"
	"  'bomFormat': 'CycloneDX',\n"
	"  'components': [\n"
	"    {\n"
	"      'bom-ref': 'pkg:deb/debian/busybox-static@1:1.35.0-4%2Bdeb12u1?arch=amd64',\n"
	"      'hashes': [\n"
	"        {\n"
	"          'alg': 'SHA-256',\n"
	"          'content': '" H64("1") "'\n"
	"        }\n"
	"      ],\n"
	"      'licenses': [\n"
	"        {\n"
	"          'expression': 'GPL-2.0-only'\n"
	"        }\n"
	"      ],\n"
	"      'name': 'busybox-static',\n"
	"      'properties': [\n"
	"        {\n"
	"          'name': 'gapimg:location',\n"
	"          'value': 'pool/main/b/busybox-static_1.35.0-4+deb12u1_amd64.deb'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:mirror',\n"
	"          'value': 'debian'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:size',\n"
	"          'value': '928188'\n"
	"        }\n"
	"      ],\n"
	"      'purl': 'pkg:deb/debian/busybox-static@1:1.35.0-4%2Bdeb12u1?arch=amd64',\n"
	"      'type': 'library',\n"
	"      'version': '1:1.35.0-4+deb12u1'\n"
	"    },\n"
	"    {\n"
	"      'bom-ref': 'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all',\n"
	"      'hashes': [\n"
	"        {\n"
	"          'alg': 'SHA-256',\n"
	"          'content': '" H64("2") "'\n"
	"        }\n"
	"      ],\n"
	"      'licenses': [\n"
	"        {\n"
	"          'license': {\n"
	"            'name': 'GPL-2+'\n"
	"          }\n"
	"        }\n"
	"      ],\n"
	"      'name': 'tzdata',\n"
	"      'properties': [\n"
	"        {\n"
	"          'name': 'gapimg:location',\n"
	"          'value': 'pool/main/t/tzdata_2024a-0+deb12u1_all.deb'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:mirror',\n"
	"          'value': 'debian'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:size',\n"
	"          'value': '255000'\n"
	"        }\n"
	"      ],\n"
	"      'purl': 'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all',\n"
	"      'type': 'library',\n"
	"      'version': '2024a-0+deb12u1'\n"
	"    },\n"
	"    {\n"
	"      'bom-ref': 'pkg:deb/debian/libfoo1@0.9~rc1-2?arch=amd64',\n"
	"      'hashes': [\n"
	"        {\n"
	"          'alg': 'SHA-256',\n"
	"          'content': '" H64("3") "'\n"
	"        }\n"
	"      ],\n"
	"      'name': 'libfoo1',\n"
	"      'properties': [\n"
	"        {\n"
	"          'name': 'gapimg:location',\n"
	"          'value': 'pool/main/libfoo1_0.9~rc1-2_amd64.deb'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:mirror',\n"
	"          'value': 'debian'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:size',\n"
	"          'value': '1000'\n"
	"        }\n"
	"      ],\n"
	"      'purl': 'pkg:deb/debian/libfoo1@0.9~rc1-2?arch=amd64',\n"
	"      'type': 'library',\n"
	"      'version': '0.9~rc1-2'\n"
	"    },\n"
	"    {\n"
	"      'bom-ref': 'pkg:pypi/dotted-name@1%210.5',\n"
	"      'hashes': [\n"
	"        {\n"
	"          'alg': 'SHA-256',\n"
	"          'content': '" H64("4") "'\n"
	"        }\n"
	"      ],\n"
	"      'licenses': [\n"
	"        {\n"
	"          'expression': 'MIT OR Apache-2.0'\n"
	"        }\n"
	"      ],\n"
	"      'name': 'dotted-name',\n"
	"      'properties': [\n"
	"        {\n"
	"          'name': 'gapimg:location',\n"
	"          'value': 'dotted_name-1!0.5-py3-none-any.whl'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:mirror',\n"
	"          'value': 'pypi'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:size',\n"
	"          'value': '1507'\n"
	"        }\n"
	"      ],\n"
	"      'purl': 'pkg:pypi/dotted-name@1%210.5',\n"
	"      'type': 'library',\n"
	"      'version': '1!0.5'\n"
	"    },\n"
	"    {\n"
	"      'bom-ref': 'file:/opt/models/model.bin',\n"
	"      'hashes': [\n"
	"        {\n"
	"          'alg': 'SHA-256',\n"
	"          'content': '" H64("5") "'\n"
	"        }\n"
	"      ],\n"
	"      'name': '/opt/models/model.bin',\n"
	"      'properties': [\n"
	"        {\n"
	"          'name': 'gapimg:provenance',\n"
	"          'value': 'trained by the ML team, run 42'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:size',\n"
	"          'value': '3000000'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:source',\n"
	"          'value': 'data/model.bin'\n"
	"        }\n"
	"      ],\n"
	"      'type': 'file'\n"
	"    }\n"
	"  ],\n"
	"  'metadata': {\n"
	"    'component': {\n"
	"      'bom-ref': 'image',\n"
	"      'hashes': [\n"
	"        {\n"
	"          'alg': 'SHA-256',\n"
	"          'content': '" H64("a") "'\n"
	"        }\n"
	"      ],\n"
	"      'name': 'node',\n"
	"      'properties': [\n"
	"        {\n"
	"          'name': 'gapimg:arch',\n"
	"          'value': 'amd64'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:bytes',\n"
	"          'value': '4096'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:family',\n"
	"          'value': 'deb'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:file',\n"
	"          'value': 'node-2.1.sqfs'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:lock-digest',\n"
	"          'value': '" H64("c") "'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:recipe-digest',\n"
	"          'value': '" H64("b") "'\n"
	"        }\n"
	"      ],\n"
	"      'type': 'operating-system',\n"
	"      'version': '2.1'\n"
	"    },\n"
	"    'timestamp': '2023-11-14T22:13:20Z',\n"
	"    'tools': {\n"
	"      'components': [\n"
	"        {\n"
	"          'name': 'gapimg',\n"
	"          'type': 'application',\n"
	"          'version': '" GAPIMG_VERSION "'\n"
	"        }\n"
	"      ]\n"
	"    }\n"
	"  },\n"
	"  'serialNumber': 'urn:uuid:f456c32c-11d5-5750-917a-d4f875c2fa40',\n"
	"  'specVersion': '1.5',\n"
	"  'version': 1\n"
	"}\n";

static const char deb_spdx[] =
	"{\n"
	"  'SPDXID': 'SPDXRef-DOCUMENT',\n"
	"  'creationInfo': {\n"
	"    'created': '2023-11-14T22:13:20Z',\n"
	"    'creators': [\n"
	"      'Tool: gapimg-" GAPIMG_VERSION "'\n"
	"    ]\n"
	"  },\n"
	"  'dataLicense': 'CC0-1.0',\n"
	"  'documentNamespace': 'https://gapimg.invalid/spdx/node-2.1-" H64("a") "',\n"
	"  'name': 'node-2.1',\n"
	"  'packages': [\n"
	"    {\n"
	"      'SPDXID': 'SPDXRef-Image',\n"
	"      'builtDate': '2023-11-14T22:13:20Z',\n"
	"      'checksums': [\n"
	"        {\n"
	"          'algorithm': 'SHA256',\n"
	"          'checksumValue': '" H64("a") "'\n"
	"        }\n"
	"      ],\n"
	"      'comment': 'A gapimg image (SquashFS, 4096 bytes) for amd64, family deb; recipe digest " H64("b") ", lock digest " H64("c") ".',\n"
	"      'downloadLocation': 'NOASSERTION',\n"
	"      'filesAnalyzed': false,\n"
	"      'licenseDeclared': 'NOASSERTION',\n"
	"      'name': 'node',\n"
	"      'packageFileName': 'node-2.1.sqfs',\n"
	"      'versionInfo': '2.1'\n"
	"    },\n"
	"    {\n"
	"      'SPDXID': 'SPDXRef-Package-deb-busybox-static-1-1.35.0-4-deb12u1-amd64',\n"
	"      'checksums': [\n"
	"        {\n"
	"          'algorithm': 'SHA256',\n"
	"          'checksumValue': '" H64("1") "'\n"
	"        }\n"
	"      ],\n"
	"      'downloadLocation': 'NOASSERTION',\n"
	"      'externalRefs': [\n"
	"        {\n"
	"          'referenceCategory': 'PACKAGE-MANAGER',\n"
	"          'referenceLocator': 'pkg:deb/debian/busybox-static@1:1.35.0-4%2Bdeb12u1?arch=amd64',\n"
	"          'referenceType': 'purl'\n"
	"        }\n"
	"      ],\n"
	"      'filesAnalyzed': false,\n"
	"      'licenseDeclared': 'GPL-2.0-only',\n"
	"      'name': 'busybox-static',\n"
	"      'packageFileName': 'pool/main/b/busybox-static_1.35.0-4+deb12u1_amd64.deb',\n"
	"      'sourceInfo': 'mirror debian, file pool/main/b/busybox-static_1.35.0-4+deb12u1_amd64.deb',\n"
	"      'versionInfo': '1:1.35.0-4+deb12u1'\n"
	"    },\n"
	"    {\n"
	"      'SPDXID': 'SPDXRef-Package-deb-tzdata-2024a-0-deb12u1-all',\n"
	"      'checksums': [\n"
	"        {\n"
	"          'algorithm': 'SHA256',\n"
	"          'checksumValue': '" H64("2") "'\n"
	"        }\n"
	"      ],\n"
	"      'downloadLocation': 'NOASSERTION',\n"
	"      'externalRefs': [\n"
	"        {\n"
	"          'referenceCategory': 'PACKAGE-MANAGER',\n"
	"          'referenceLocator': 'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all',\n"
	"          'referenceType': 'purl'\n"
	"        }\n"
	"      ],\n"
	"      'filesAnalyzed': false,\n"
	"      'licenseComments': 'The package metadata states the licence as \\'GPL-2+\\', which is not an SPDX licence expression.',\n"
	"      'licenseDeclared': 'NOASSERTION',\n"
	"      'name': 'tzdata',\n"
	"      'packageFileName': 'pool/main/t/tzdata_2024a-0+deb12u1_all.deb',\n"
	"      'sourceInfo': 'mirror debian, file pool/main/t/tzdata_2024a-0+deb12u1_all.deb',\n"
	"      'versionInfo': '2024a-0+deb12u1'\n"
	"    },\n"
	"    {\n"
	"      'SPDXID': 'SPDXRef-Package-deb-libfoo1-0.9-rc1-2-amd64',\n"
	"      'checksums': [\n"
	"        {\n"
	"          'algorithm': 'SHA256',\n"
	"          'checksumValue': '" H64("3") "'\n"
	"        }\n"
	"      ],\n"
	"      'downloadLocation': 'NOASSERTION',\n"
	"      'externalRefs': [\n"
	"        {\n"
	"          'referenceCategory': 'PACKAGE-MANAGER',\n"
	"          'referenceLocator': 'pkg:deb/debian/libfoo1@0.9~rc1-2?arch=amd64',\n"
	"          'referenceType': 'purl'\n"
	"        }\n"
	"      ],\n"
	"      'filesAnalyzed': false,\n"
	"      'licenseDeclared': 'NOASSERTION',\n"
	"      'name': 'libfoo1',\n"
	"      'packageFileName': 'pool/main/libfoo1_0.9~rc1-2_amd64.deb',\n"
	"      'sourceInfo': 'mirror debian, file pool/main/libfoo1_0.9~rc1-2_amd64.deb',\n"
	"      'versionInfo': '0.9~rc1-2'\n"
	"    },\n"
	"    {\n"
	"      'SPDXID': 'SPDXRef-Package-pypi-dotted-name-1-0.5',\n"
	"      'checksums': [\n"
	"        {\n"
	"          'algorithm': 'SHA256',\n"
	"          'checksumValue': '" H64("4") "'\n"
	"        }\n"
	"      ],\n"
	"      'downloadLocation': 'NOASSERTION',\n"
	"      'externalRefs': [\n"
	"        {\n"
	"          'referenceCategory': 'PACKAGE-MANAGER',\n"
	"          'referenceLocator': 'pkg:pypi/dotted-name@1%210.5',\n"
	"          'referenceType': 'purl'\n"
	"        }\n"
	"      ],\n"
	"      'filesAnalyzed': false,\n"
	"      'licenseDeclared': 'MIT OR Apache-2.0',\n"
	"      'name': 'dotted-name',\n"
	"      'packageFileName': 'dotted_name-1!0.5-py3-none-any.whl',\n"
	"      'sourceInfo': 'mirror pypi, file dotted_name-1!0.5-py3-none-any.whl',\n"
	"      'versionInfo': '1!0.5'\n"
	"    },\n"
	"    {\n"
	"      'SPDXID': 'SPDXRef-File-opt-models-model.bin',\n"
	"      'checksums': [\n"
	"        {\n"
	"          'algorithm': 'SHA256',\n"
	"          'checksumValue': '" H64("5") "'\n"
	"        }\n"
	"      ],\n"
	"      'comment': 'A data file of the recipe, described as a package because SPDX 2.3 requires a SHA-1 checksum for files and the image manifest records SHA-256.',\n"
	"      'downloadLocation': 'NOASSERTION',\n"
	"      'filesAnalyzed': false,\n"
	"      'licenseDeclared': 'NOASSERTION',\n"
	"      'name': '/opt/models/model.bin',\n"
	"      'packageFileName': '/opt/models/model.bin',\n"
	"      'primaryPackagePurpose': 'FILE',\n"
	"      'sourceInfo': 'recipe data file from data/model.bin; provenance: trained by the ML team, run 42'\n"
	"    }\n"
	"  ],\n"
	"  'relationships': [\n"
	"    {\n"
	"      'relatedSpdxElement': 'SPDXRef-Image',\n"
	"      'relationshipType': 'DESCRIBES',\n"
	"      'spdxElementId': 'SPDXRef-DOCUMENT'\n"
	"    },\n"
	"    {\n"
	"      'relatedSpdxElement': 'SPDXRef-Package-deb-busybox-static-1-1.35.0-4-deb12u1-amd64',\n"
	"      'relationshipType': 'CONTAINS',\n"
	"      'spdxElementId': 'SPDXRef-Image'\n"
	"    },\n"
	"    {\n"
	"      'relatedSpdxElement': 'SPDXRef-Package-deb-tzdata-2024a-0-deb12u1-all',\n"
	"      'relationshipType': 'CONTAINS',\n"
	"      'spdxElementId': 'SPDXRef-Image'\n"
	"    },\n"
	"    {\n"
	"      'relatedSpdxElement': 'SPDXRef-Package-deb-libfoo1-0.9-rc1-2-amd64',\n"
	"      'relationshipType': 'CONTAINS',\n"
	"      'spdxElementId': 'SPDXRef-Image'\n"
	"    },\n"
	"    {\n"
	"      'relatedSpdxElement': 'SPDXRef-Package-pypi-dotted-name-1-0.5',\n"
	"      'relationshipType': 'CONTAINS',\n"
	"      'spdxElementId': 'SPDXRef-Image'\n"
	"    },\n"
	"    {\n"
	"      'relatedSpdxElement': 'SPDXRef-File-opt-models-model.bin',\n"
	"      'relationshipType': 'CONTAINS',\n"
	"      'spdxElementId': 'SPDXRef-Image'\n"
	"    }\n"
	"  ],\n"
	"  'spdxVersion': 'SPDX-2.3'\n"
	"}\n";

static const char rpm_cyclonedx[] =
	"{\n"
	"  'bomFormat': 'CycloneDX',\n"
	"  'components': [\n"
	"    {\n"
	"      'bom-ref': 'pkg:rpm/shadow-utils@4.9-9.el9?arch=x86_64&epoch=2',\n"
	"      'hashes': [\n"
	"        {\n"
	"          'alg': 'SHA-256',\n"
	"          'content': '" H64("6") "'\n"
	"        }\n"
	"      ],\n"
	"      'licenses': [\n"
	"        {\n"
	"          'license': {\n"
	"            'name': 'BSD and GPLv2+'\n"
	"          }\n"
	"        }\n"
	"      ],\n"
	"      'name': 'shadow-utils',\n"
	"      'properties': [\n"
	"        {\n"
	"          'name': 'gapimg:location',\n"
	"          'value': 'Packages/s/shadow-utils-4.9-9.el9.x86_64.rpm'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:mirror',\n"
	"          'value': 'baseos'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:size',\n"
	"          'value': '1234567'\n"
	"        }\n"
	"      ],\n"
	"      'purl': 'pkg:rpm/shadow-utils@4.9-9.el9?arch=x86_64&epoch=2',\n"
	"      'type': 'library',\n"
	"      'version': '2:4.9-9.el9'\n"
	"    },\n"
	"    {\n"
	"      'bom-ref': 'pkg:rpm/foo%2Bbar@1.0-1?arch=noarch',\n"
	"      'hashes': [\n"
	"        {\n"
	"          'alg': 'SHA-256',\n"
	"          'content': '" H64("7") "'\n"
	"        }\n"
	"      ],\n"
	"      'licenses': [\n"
	"        {\n"
	"          'license': {\n"
	"            'name': 'LicenseRef-Local'\n"
	"          }\n"
	"        }\n"
	"      ],\n"
	"      'name': 'foo+bar',\n"
	"      'properties': [\n"
	"        {\n"
	"          'name': 'gapimg:location',\n"
	"          'value': 'foo+bar-1.0-1.noarch.rpm'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:mirror',\n"
	"          'value': 'local'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:size',\n"
	"          'value': '10'\n"
	"        }\n"
	"      ],\n"
	"      'purl': 'pkg:rpm/foo%2Bbar@1.0-1?arch=noarch',\n"
	"      'type': 'library',\n"
	"      'version': '1.0-1'\n"
	"    },\n"
	"    {\n"
	"      'bom-ref': 'pkg:rpm/foo-bar@1.0-1?arch=noarch',\n"
	"      'hashes': [\n"
	"        {\n"
	"          'alg': 'SHA-256',\n"
	"          'content': '" H64("8") "'\n"
	"        }\n"
	"      ],\n"
	"      'licenses': [\n"
	"        {\n"
	"          'expression': 'GPL-3.0-or-later WITH GCC-exception-3.1'\n"
	"        }\n"
	"      ],\n"
	"      'name': 'foo-bar',\n"
	"      'properties': [\n"
	"        {\n"
	"          'name': 'gapimg:location',\n"
	"          'value': 'foo-bar-1.0-1.noarch.rpm'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:mirror',\n"
	"          'value': 'local'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:size',\n"
	"          'value': '11'\n"
	"        }\n"
	"      ],\n"
	"      'purl': 'pkg:rpm/foo-bar@1.0-1?arch=noarch',\n"
	"      'type': 'library',\n"
	"      'version': '1.0-1'\n"
	"    }\n"
	"  ],\n"
	"  'metadata': {\n"
	"    'component': {\n"
	"      'bom-ref': 'image',\n"
	"      'hashes': [\n"
	"        {\n"
	"          'alg': 'SHA-256',\n"
	"          'content': '" H64("f") "'\n"
	"        }\n"
	"      ],\n"
	"      'name': 'el',\n"
	"      'properties': [\n"
	"        {\n"
	"          'name': 'gapimg:arch',\n"
	"          'value': 'x86_64'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:bytes',\n"
	"          'value': '8192'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:family',\n"
	"          'value': 'rpm'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:file',\n"
	"          'value': 'el-9.sqfs'\n"
	"        },\n"
	"        {\n"
	"          'name': 'gapimg:recipe-digest',\n"
	"          'value': '" H64("9") "'\n"
	"        }\n"
	"      ],\n"
	"      'type': 'operating-system',\n"
	"      'version': '9'\n"
	"    },\n"
	"    'timestamp': '1970-01-01T00:00:00Z',\n"
	"    'tools': {\n"
	"      'components': [\n"
	"        {\n"
	"          'name': 'gapimg',\n"
	"          'type': 'application',\n"
	"          'version': '" GAPIMG_VERSION "'\n"
	"        }\n"
	"      ]\n"
	"    }\n"
	"  },\n"
	"  'serialNumber': 'urn:uuid:0de811ca-8d8e-5746-9b4b-ceed3fbf14e8',\n"
	"  'specVersion': '1.5',\n"
	"  'version': 1\n"
	"}\n";

static const char rpm_spdx[] =
	"{\n"
	"  'SPDXID': 'SPDXRef-DOCUMENT',\n"
	"  'creationInfo': {\n"
	"    'created': '1970-01-01T00:00:00Z',\n"
	"    'creators': [\n"
	"      'Tool: gapimg-" GAPIMG_VERSION "'\n"
	"    ]\n"
	"  },\n"
	"  'dataLicense': 'CC0-1.0',\n"
	"  'documentNamespace': 'https://gapimg.invalid/spdx/el-9-" H64("f") "',\n"
	"  'name': 'el-9',\n"
	"  'packages': [\n"
	"    {\n"
	"      'SPDXID': 'SPDXRef-Image',\n"
	"      'builtDate': '1970-01-01T00:00:00Z',\n"
	"      'checksums': [\n"
	"        {\n"
	"          'algorithm': 'SHA256',\n"
	"          'checksumValue': '" H64("f") "'\n"
	"        }\n"
	"      ],\n"
	"      'comment': 'A gapimg image (SquashFS, 8192 bytes) for x86_64, family rpm; recipe digest " H64("9") ", lock digest none.',\n"
	"      'downloadLocation': 'NOASSERTION',\n"
	"      'filesAnalyzed': false,\n"
	"      'licenseDeclared': 'NOASSERTION',\n"
	"      'name': 'el',\n"
	"      'packageFileName': 'el-9.sqfs',\n"
	"      'versionInfo': '9'\n"
	"    },\n"
	"    {\n"
	"      'SPDXID': 'SPDXRef-Package-rpm-shadow-utils-2-4.9-9.el9-x86-64',\n"
	"      'checksums': [\n"
	"        {\n"
	"          'algorithm': 'SHA256',\n"
	"          'checksumValue': '" H64("6") "'\n"
	"        }\n"
	"      ],\n"
	"      'downloadLocation': 'NOASSERTION',\n"
	"      'externalRefs': [\n"
	"        {\n"
	"          'referenceCategory': 'PACKAGE-MANAGER',\n"
	"          'referenceLocator': 'pkg:rpm/shadow-utils@4.9-9.el9?arch=x86_64&epoch=2',\n"
	"          'referenceType': 'purl'\n"
	"        }\n"
	"      ],\n"
	"      'filesAnalyzed': false,\n"
	"      'licenseComments': 'The package metadata states the licence as \\'BSD and GPLv2+\\', which is not an SPDX licence expression.',\n"
	"      'licenseDeclared': 'NOASSERTION',\n"
	"      'name': 'shadow-utils',\n"
	"      'packageFileName': 'Packages/s/shadow-utils-4.9-9.el9.x86_64.rpm',\n"
	"      'sourceInfo': 'mirror baseos, file Packages/s/shadow-utils-4.9-9.el9.x86_64.rpm',\n"
	"      'versionInfo': '2:4.9-9.el9'\n"
	"    },\n"
	"    {\n"
	"      'SPDXID': 'SPDXRef-Package-rpm-foo-bar-1.0-1-noarch',\n"
	"      'checksums': [\n"
	"        {\n"
	"          'algorithm': 'SHA256',\n"
	"          'checksumValue': '" H64("7") "'\n"
	"        }\n"
	"      ],\n"
	"      'downloadLocation': 'NOASSERTION',\n"
	"      'externalRefs': [\n"
	"        {\n"
	"          'referenceCategory': 'PACKAGE-MANAGER',\n"
	"          'referenceLocator': 'pkg:rpm/foo%2Bbar@1.0-1?arch=noarch',\n"
	"          'referenceType': 'purl'\n"
	"        }\n"
	"      ],\n"
	"      'filesAnalyzed': false,\n"
	"      'licenseComments': 'The package metadata states the licence as \\'LicenseRef-Local\\', which names a licence whose text is not in the image manifest.',\n"
	"      'licenseDeclared': 'NOASSERTION',\n"
	"      'name': 'foo+bar',\n"
	"      'packageFileName': 'foo+bar-1.0-1.noarch.rpm',\n"
	"      'sourceInfo': 'mirror local, file foo+bar-1.0-1.noarch.rpm',\n"
	"      'versionInfo': '1.0-1'\n"
	"    },\n"
	"    {\n"
	"      'SPDXID': 'SPDXRef-Package-rpm-foo-bar-1.0-1-noarch-2',\n"
	"      'checksums': [\n"
	"        {\n"
	"          'algorithm': 'SHA256',\n"
	"          'checksumValue': '" H64("8") "'\n"
	"        }\n"
	"      ],\n"
	"      'downloadLocation': 'NOASSERTION',\n"
	"      'externalRefs': [\n"
	"        {\n"
	"          'referenceCategory': 'PACKAGE-MANAGER',\n"
	"          'referenceLocator': 'pkg:rpm/foo-bar@1.0-1?arch=noarch',\n"
	"          'referenceType': 'purl'\n"
	"        }\n"
	"      ],\n"
	"      'filesAnalyzed': false,\n"
	"      'licenseDeclared': 'GPL-3.0-or-later WITH GCC-exception-3.1',\n"
	"      'name': 'foo-bar',\n"
	"      'packageFileName': 'foo-bar-1.0-1.noarch.rpm',\n"
	"      'sourceInfo': 'mirror local, file foo-bar-1.0-1.noarch.rpm',\n"
	"      'versionInfo': '1.0-1'\n"
	"    }\n"
	"  ],\n"
	"  'relationships': [\n"
	"    {\n"
	"      'relatedSpdxElement': 'SPDXRef-Image',\n"
	"      'relationshipType': 'DESCRIBES',\n"
	"      'spdxElementId': 'SPDXRef-DOCUMENT'\n"
	"    },\n"
	"    {\n"
	"      'relatedSpdxElement': 'SPDXRef-Package-rpm-shadow-utils-2-4.9-9.el9-x86-64',\n"
	"      'relationshipType': 'CONTAINS',\n"
	"      'spdxElementId': 'SPDXRef-Image'\n"
	"    },\n"
	"    {\n"
	"      'relatedSpdxElement': 'SPDXRef-Package-rpm-foo-bar-1.0-1-noarch',\n"
	"      'relationshipType': 'CONTAINS',\n"
	"      'spdxElementId': 'SPDXRef-Image'\n"
	"    },\n"
	"    {\n"
	"      'relatedSpdxElement': 'SPDXRef-Package-rpm-foo-bar-1.0-1-noarch-2',\n"
	"      'relationshipType': 'CONTAINS',\n"
	"      'spdxElementId': 'SPDXRef-Image'\n"
	"    }\n"
	"  ],\n"
	"  'spdxVersion': 'SPDX-2.3'\n"
	"}\n";

/* The SBOM of manifest (in ' form) in fmt; asserts it was made. */
static char *sbom_of(const char *manifest, enum gapimg_sbom_format fmt)
{
	struct gapimg_error err = { 0 };
	char *m = dq(manifest), *out = NULL;
	int rc = gapimg_sbom(m, strlen(m), fmt, &out, &err);

	if (rc != 0)
		fail_msg("gapimg_sbom: %s", err.msg);
	free(m);
	return out;
}

static void expect_sbom(const char *manifest, enum gapimg_sbom_format fmt, const char *want)
{
	char *got = sbom_of(manifest, fmt), *w = dq(want);

	assert_string_equal(got, w);
	free(got);
	free(w);
}

static void test_deb_cyclonedx(void **state)
{
	(void)state;
	expect_sbom(deb_manifest, GAPIMG_SBOM_CYCLONEDX, deb_cyclonedx);
}

static void test_deb_spdx(void **state)
{
	(void)state;
	expect_sbom(deb_manifest, GAPIMG_SBOM_SPDX, deb_spdx);
}

static void test_rpm_cyclonedx(void **state)
{
	(void)state;
	expect_sbom(rpm_manifest, GAPIMG_SBOM_CYCLONEDX, rpm_cyclonedx);
}

static void test_rpm_spdx(void **state)
{
	(void)state;
	expect_sbom(rpm_manifest, GAPIMG_SBOM_SPDX, rpm_spdx);
}

/* The output depends on the manifest's content, not on how it is laid
 * out: the same manifest with its keys in another order and no spaces
 * gives the same bytes, and so does a second run. */
static void test_deterministic(void **state)
{
	struct gapimg_error err = { 0 };
	char *m = dq(deb_manifest), *again, *a, *b, *c;
	json_t *j = json_loads(m, 0, NULL);
	int f;

	(void)state;
	assert_non_null(j);
	again = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_non_null(again);
	assert_string_not_equal(again, m);
	for (f = GAPIMG_SBOM_CYCLONEDX; f <= GAPIMG_SBOM_SPDX; f++) {
		assert_int_equal(gapimg_sbom(m, strlen(m), f, &a, &err), 0);
		assert_int_equal(gapimg_sbom(m, strlen(m), f, &b, &err), 0);
		assert_int_equal(gapimg_sbom(again, strlen(again), f, &c, &err), 0);
		assert_string_equal(a, b);
		assert_string_equal(a, c);
		assert_int_equal(a[strlen(a) - 1], '\n');
		assert_int_not_equal(a[strlen(a) - 2], '\n');
		free(a);
		free(b);
		free(c);
	}
	/* the length is honoured: no NUL needed after the manifest */
	{
		size_t n = strlen(m);
		char *copy = malloc(n + 5);

		assert_non_null(copy);
		memcpy(copy, m, n);
		memcpy(copy + n, "junk", 5);
		assert_int_equal(gapimg_sbom(copy, n, GAPIMG_SBOM_SPDX, &a, &err), 0);
		free(a);
		free(copy);
	}
	free(again);
	json_decref(j);
	free(m);
}

static void test_manifest_image(void **state)
{
	struct gapimg_error err = { 0 };
	char *m = dq(rpm_manifest), sha[GAPIMG_SHA256_HEX];
	uint64_t bytes = 0;

	(void)state;
	assert_int_equal(gapimg_sbom_manifest_image(m, strlen(m), &bytes, sha, &err), 0);
	assert_int_equal(bytes, 8192);
	assert_string_equal(sha, H64("f"));
	free(m);
}

static void test_format_names(void **state)
{
	enum gapimg_sbom_format f = GAPIMG_SBOM_SPDX;

	(void)state;
	assert_int_equal(gapimg_sbom_format_parse("cyclonedx", &f), 0);
	assert_int_equal(f, GAPIMG_SBOM_CYCLONEDX);
	assert_int_equal(gapimg_sbom_format_parse("spdx", &f), 0);
	assert_int_equal(f, GAPIMG_SBOM_SPDX);
	assert_int_equal(gapimg_sbom_format_parse("SPDX", &f), -1);
	assert_int_equal(gapimg_sbom_format_parse("cyclonedx-xml", &f), -1);
	assert_int_equal(gapimg_sbom_format_parse("", &f), -1);
	assert_string_equal(gapimg_sbom_format_name(GAPIMG_SBOM_CYCLONEDX), "cyclonedx");
	assert_string_equal(gapimg_sbom_format_name(GAPIMG_SBOM_SPDX), "spdx");
}

static void test_purl(void **state)
{
	static const struct {
		const char *family, *name, *version, *arch, *want;
	} cases[] = {
		/* the spec's own examples */
		{ "deb", "attr", "1:2.4.47-2+b1", "amd64", "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64" },
		{ "deb", "curl", "7.50.3-1", "i386", "pkg:deb/debian/curl@7.50.3-1?arch=i386" },
		{ "rpm", "centerim", "1:4.22.10-1.el6", "i686",
		  "pkg:rpm/centerim@4.22.10-1.el6?arch=i686&epoch=1" },
		/* deb names are lowercased; ~ is kept, + encoded */
		{ "deb", "Foo", "1.0~rc1+dfsg", "all", "pkg:deb/debian/foo@1.0~rc1%2Bdfsg?arch=all" },
		/* RPM names keep their case and encode what purls reserve */
		{ "rpm", "Perl-Foo+x", "0:1.2-3", "noarch", "pkg:rpm/Perl-Foo%2Bx@1.2-3?arch=noarch&epoch=0" },
		{ "rpm", "libstdc++", "12.2.1-4.fc38", "x86_64", "pkg:rpm/libstdc%2B%2B@12.2.1-4.fc38?arch=x86_64" },
		{ "rpm", "a@b?c#d/e", "1-1", "x86_64", "pkg:rpm/a%40b%3Fc%23d%2Fe@1-1?arch=x86_64" },
		/* pypi: PEP 503 names, lowercase versions; arch is ignored */
		{ "pypi", "Dotted_Name..x", "1!0.5+Local.1", "x86_64", "pkg:pypi/dotted-name-x@1%210.5%2Blocal.1" },
		{ "pypi", "zope.interface", "6.0", NULL, "pkg:pypi/zope-interface@6.0" },
		/* non-ASCII as UTF-8 bytes */
		{ "deb", "caf\xc3\xa9", "1 2", "amd64", "pkg:deb/debian/caf%C3%A9@1%202?arch=amd64" },
	};
	struct gapimg_error err = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = gapimg_purl(cases[i].family, cases[i].name, cases[i].version,
				      cases[i].arch, &err);

		if (p == NULL)
			fail_msg("%s %s: %s", cases[i].name, cases[i].version, err.msg);
		assert_string_equal(p, cases[i].want);
		free(p);
	}
	assert_null(gapimg_purl("rpm", "bash", "x:5.2-1", "x86_64", &err));
	assert_int_equal(err.code, GAPIMG_E_INVALID);
	assert_string_equal(err.msg, "RPM version \"x:5.2-1\" is not EPOCH:VERSION-RELEASE "
			    "(the epoch must be a number)");
	assert_null(gapimg_purl("rpm", "bash", ":5.2-1", "x86_64", &err));
	assert_null(gapimg_purl("rpm", "bash", "1:", "x86_64", &err));
}

static void test_license_kind(void **state)
{
	static const struct {
		const char *license;
		enum gapimg_license_kind want;
	} cases[] = {
		{ "MIT", GAPIMG_LICENSE_SPDX },
		{ "GPL-2.0-only", GAPIMG_LICENSE_SPDX },
		{ "GPL-2.0+", GAPIMG_LICENSE_SPDX },
		{ "LGPL-2.1+", GAPIMG_LICENSE_SPDX },
		{ "GFDL-1.3", GAPIMG_LICENSE_SPDX },
		{ "bsd-3-clause", GAPIMG_LICENSE_SPDX },     /* ids match case-insensitively */
		{ "MIT OR Apache-2.0", GAPIMG_LICENSE_SPDX },
		{ "(MIT OR Apache-2.0) AND BSD-3-Clause", GAPIMG_LICENSE_SPDX },
		{ "((MIT))", GAPIMG_LICENSE_SPDX },
		{ "GPL-3.0-or-later WITH GCC-exception-3.1", GAPIMG_LICENSE_SPDX },
		{ "GPL-2.0+ WITH Bison-exception-2.2 OR MIT", GAPIMG_LICENSE_SPDX },
		{ "  MIT\tAND  Zlib ", GAPIMG_LICENSE_SPDX },
		{ "(((((((((((((((((((((((((((((((MIT)))))))))))))))))))))))))))))))", GAPIMG_LICENSE_SPDX },
		{ "LicenseRef-Local", GAPIMG_LICENSE_SPDX_REF },
		{ "MIT AND LicenseRef-x.1", GAPIMG_LICENSE_SPDX_REF },
		{ "DocumentRef-other:LicenseRef-x", GAPIMG_LICENSE_SPDX_REF },
		/* old Fedora, Debian DEP-5, bare family names */
		{ "GPLv2+", GAPIMG_LICENSE_TEXT },
		{ "LGPLv2.1", GAPIMG_LICENSE_TEXT },
		{ "GPL-2+", GAPIMG_LICENSE_TEXT },
		{ "GPL-2", GAPIMG_LICENSE_TEXT },
		{ "AGPL-3+", GAPIMG_LICENSE_TEXT },
		{ "MIT OR GPL-3", GAPIMG_LICENSE_TEXT },
		{ "BSD", GAPIMG_LICENSE_TEXT },
		{ "Expat", GAPIMG_LICENSE_TEXT },
		{ "public-domain", GAPIMG_LICENSE_TEXT },
		{ "ASL 2.0", GAPIMG_LICENSE_TEXT },
		{ "Public Domain", GAPIMG_LICENSE_TEXT },
		/* syntax */
		{ "", GAPIMG_LICENSE_TEXT },
		{ "   ", GAPIMG_LICENSE_TEXT },
		{ "MIT and Zlib", GAPIMG_LICENSE_TEXT },    /* operators are uppercase */
		{ "MIT OR", GAPIMG_LICENSE_TEXT },
		{ "OR MIT", GAPIMG_LICENSE_TEXT },
		{ "MIT Zlib", GAPIMG_LICENSE_TEXT },
		{ "(MIT", GAPIMG_LICENSE_TEXT },
		{ "MIT)", GAPIMG_LICENSE_TEXT },
		{ "()", GAPIMG_LICENSE_TEXT },
		{ "MIT WITH", GAPIMG_LICENSE_TEXT },
		{ "(MIT) WITH Classpath-exception-2.0", GAPIMG_LICENSE_TEXT },
		{ "MIT WITH Classpath-exception-2.0+", GAPIMG_LICENSE_TEXT },
		{ "MIT WITH LicenseRef-x", GAPIMG_LICENSE_TEXT },
		{ "MIT WITH X WITH Y", GAPIMG_LICENSE_TEXT },
		{ "MIT++", GAPIMG_LICENSE_TEXT },
		{ "+", GAPIMG_LICENSE_TEXT },
		{ "M_I_T", GAPIMG_LICENSE_TEXT },
		{ "MIT,Zlib", GAPIMG_LICENSE_TEXT },
		{ "LicenseRef-", GAPIMG_LICENSE_TEXT },
		{ "LicenseRef-a+", GAPIMG_LICENSE_TEXT },
		{ "DocumentRef-x:MIT", GAPIMG_LICENSE_TEXT },
		{ "NONE", GAPIMG_LICENSE_TEXT },
		{ "NOASSERTION", GAPIMG_LICENSE_TEXT },
		{ "caf\xc3\xa9", GAPIMG_LICENSE_TEXT },
		/* nesting deeper than 32 is refused, not followed */
		{ "(((((((((((((((((((((((((((((((((MIT)))))))))))))))))))))))))))))))))", GAPIMG_LICENSE_TEXT },
	};
	char longid[400];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (gapimg_license_kind(cases[i].license) != cases[i].want)
			fail_msg("\"%s\": kind %d, expected %d", cases[i].license,
				 (int)gapimg_license_kind(cases[i].license), (int)cases[i].want);
	/* a token longer than the lexer takes is text, not an overflow */
	memset(longid, 'A', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(gapimg_license_kind(longid), GAPIMG_LICENSE_TEXT);
}

static void test_serial(void **state)
{
	char s[46];

	(void)state;
	/* RFC 4122 version 5 in gapimg's namespace: what Python's
	 * uuid.uuid5(UUID("c60d5ea9-ab9d-4c37-864f-70ca62cac5c1"), SHA)
	 * gives for the same name. */
	gapimg_sbom_serial(H64("a"), s);
	assert_string_equal(s, "urn:uuid:f456c32c-11d5-5750-917a-d4f875c2fa40");
	gapimg_sbom_serial(H64("f"), s);
	assert_string_equal(s, "urn:uuid:0de811ca-8d8e-5746-9b4b-ceed3fbf14e8");
}

/* The manifest base with one change: the value at path ("packages.1.name",
 * "files.0") set to value (in ' form; one past the end of an array is
 * appended), or removed when value is NULL. */
static char *changed_in(const char *base, const char *path, const char *value)
{
	char *m = dq(base), *p = strdup(path), *key, *save = NULL, *text;
	json_t *root = json_loads(m, 0, NULL), *parent = NULL, *cur = root, *v = NULL;
	const char *last = NULL;

	assert_non_null(root);
	assert_non_null(p);
	for (key = strtok_r(p, ".", &save); key; key = strtok_r(NULL, ".", &save)) {
		parent = cur;
		last = key;
		cur = json_is_array(cur) ? json_array_get(cur, strtoul(key, NULL, 10))
					 : json_object_get(cur, key);
	}
	if (value != NULL) {
		char *vv = dq(value);

		v = json_loads(vv, JSON_DECODE_ANY, NULL);
		free(vv);
		assert_non_null(v);
	}
	if (json_is_array(parent)) {
		size_t i = strtoul(last, NULL, 10);

		if (v && i == json_array_size(parent))
			assert_int_equal(json_array_append_new(parent, v), 0);
		else if (v)
			assert_int_equal(json_array_set_new(parent, i, v), 0);
		else
			assert_int_equal(json_array_remove(parent, i), 0);
	} else if (v) {
		assert_int_equal(json_object_set_new(parent, last, v), 0);
	} else {
		assert_int_equal(json_object_del(parent, last), 0);
	}
	text = json_dumps(root, JSON_SORT_KEYS | JSON_ENCODE_ANY);
	assert_non_null(text);
	json_decref(root);
	free(p);
	free(m);
	return text;
}

static char *changed(const char *path, const char *value)
{
	return changed_in(deb_manifest, path, value);
}

static void expect_refused(const char *manifest, size_t len, const char *want)
{
	struct gapimg_error err = { 0 };
	char *out = (char *)"unchanged";
	enum gapimg_sbom_format f;

	for (f = GAPIMG_SBOM_CYCLONEDX; f <= GAPIMG_SBOM_SPDX; f++) {
		gapimg_error_clear(&err);
		assert_int_equal(gapimg_sbom(manifest, len, f, &out, &err), -1);
		assert_null(out);
		assert_int_equal(err.code, GAPIMG_E_INVALID);
		assert_string_equal(err.msg, want);
	}
}

static void test_malformed(void **state)
{
	static const struct {
		const char *path, *value, *want;
	} cases[] = {
		{ "manifest", NULL, "not a gapimg manifest: it has no \"manifest\" format number" },
		{ "manifest", "'1'", "not a gapimg manifest: it has no \"manifest\" format number" },
		{ "manifest", "2", "the manifest is format 2; this gapimg reads format 1" },
		{ "image", NULL, "the manifest has no image" },
		{ "image", "[]", "the manifest's image is an array, not an object" },
		{ "image.name", NULL, "the manifest has no image.name" },
		{ "image.name", "''", "the manifest's image.name is empty" },
		{ "image.version", "2.1", "the manifest's image.version is a number with a "
		  "fraction, not a string" },
		{ "image.file", "null", "the manifest's image.file is null, not a string" },
		{ "image.bytes", "'4096'", "the manifest's image.bytes is a string, not a whole number" },
		{ "image.bytes", "-1", "the manifest's image.bytes is -1, outside 0 to 9007199254740992" },
		{ "image.sha256", "'" H64("A") "'", "the manifest's image.sha256 is not a SHA-256 "
		  "(64 lowercase hex digits): \"" H64("A") "\"" },
		{ "image.sha256", "'" H64("a") "a'", "the manifest's image.sha256 is not a SHA-256 "
		  "(64 lowercase hex digits): \"" H64("a") "...\"" },
		{ "image.sha256", "'abc'", "the manifest's image.sha256 is not a SHA-256 "
		  "(64 lowercase hex digits): \"abc\"" },
		{ "recipe.digest", NULL, "the manifest has no recipe.digest" },
		{ "recipe", "true", "the manifest's recipe is a boolean, not an object" },
		{ "lock.digest", "'x'", "the manifest's lock.digest is not a SHA-256 "
		  "(64 lowercase hex digits): \"x\"" },
		{ "epoch", NULL, "the manifest has no epoch" },
		{ "epoch", "-1", "the manifest's epoch is -1, outside 0 to 4294967295" },
		{ "epoch", "4294967296", "the manifest's epoch is 4294967296, outside 0 to 4294967295" },
		{ "family", "'arch'", "the manifest's family is \"arch\", not \"deb\" or \"rpm\"" },
		{ "arch", "''", "the manifest's arch is empty" },
		{ "packages", NULL, "the manifest has no packages" },
		{ "packages", "{}", "the manifest's packages is an object, not an array" },
		{ "packages.1", "'tzdata'", "the manifest's packages[1] is a string, not an object" },
		{ "packages.1.name", NULL, "the manifest has no packages[1].name" },
		{ "packages.2.arch", NULL, "the manifest has no packages[2].arch" },
		{ "packages.0.version", "1", "the manifest's packages[0].version is a whole number, "
		  "not a string" },
		{ "packages.0.size", "1.5", "the manifest's packages[0].size is a number with a "
		  "fraction, not a whole number" },
		{ "packages.0.sha256", "''", "the manifest's packages[0].sha256 is not a SHA-256 "
		  "(64 lowercase hex digits): \"\"" },
		{ "packages.0.license", "['MIT']", "the manifest's packages[0].license is an array, "
		  "not a string" },
		{ "packages.0.mirror", NULL, "the manifest has no packages[0].mirror" },
		{ "packages.0.location", "''", "the manifest's packages[0].location is empty" },
		{ "packages.3", "{'arch': 'amd64', 'location': 'elsewhere.deb', 'mirror': 'other', "
		  "'name': 'busybox-static', 'sha256': '" H64("9") "', 'size': 1, "
		  "'version': '1:1.35.0-4+deb12u1'}",
		  "the manifest lists pkg:deb/debian/busybox-static@1:1.35.0-4%2Bdeb12u1?arch=amd64 "
		  "twice (packages[0] and packages[3])" },
		{ "wheels", "'none'", "the manifest's wheels is a string, not an array" },
		{ "wheels.0.version", NULL, "the manifest has no wheels[0].version" },
		{ "wheels.1", "{'name': 'Dotted.Name', 'version': '1!0.5', 'mirror': 'pypi', "
		  "'location': 'x.whl', 'size': 1, 'sha256': '" H64("4") "'}",
		  "the manifest lists pkg:pypi/dotted-name@1%210.5 twice (wheels[0] and wheels[1])" },
		{ "files", NULL, "the manifest has no files" },
		{ "files.0.path", "'opt/x'", "the manifest's files[0].path is not an absolute "
		  "path: \"opt/x\"" },
		{ "files.0.source", NULL, "the manifest has no files[0].source" },
		{ "files.0.provenance", "7", "the manifest's files[0].provenance is a whole number, "
		  "not a string" },
		{ "files.1", "{'path': '/opt/models/model.bin', 'source': 'y', 'size': 1, "
		  "'sha256': '" H64("6") "'}",
		  "the manifest lists /opt/models/model.bin twice (files[0] and files[1])" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *m = changed(cases[i].path, cases[i].value);

		expect_refused(m, strlen(m), cases[i].want);
		free(m);
	}
}

/* RPM epochs must be numbers to become the purl's epoch qualifier. */
static void test_malformed_rpm(void **state)
{
	char *m = changed_in(rpm_manifest, "packages.1.version", "'one:1.0-1'");

	(void)state;
	expect_refused(m, strlen(m), "the manifest's packages[1].version: RPM version "
		       "\"one:1.0-1\" is not EPOCH:VERSION-RELEASE (the epoch must be a number)");
	free(m);
}

/* Text that is not a manifest at all. */
static void test_not_a_manifest(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "", "the manifest is not valid JSON: line 1, column 0: '[' or '{' expected "
		  "near end of file" },
		{ "nul", "the manifest is not valid JSON: line 1, column 3: '[' or '{' expected "
		  "near 'nul'" },
		{ "{\"manifest\": 1} x", "the manifest is not valid JSON: line 1, column 17: end "
		  "of file expected near 'x'" },
		/* a reader could take either value */
		{ "{\"manifest\": 1,\n \"manifest\": 1}", "the manifest is not valid JSON: line "
		  "2, column 11: duplicate object key near '\"manifest\"'" },
		{ "{\"manifest\": 1, \"image\": {\"name\": \"a\\u0000b\"}}", "the manifest is "
		  "not valid JSON: line 1, column 44: \\u0000 is not allowed without "
		  "JSON_ALLOW_NUL near '\"a\\u0000b\"'" },
		{ "{\"manifest\": 1, \"image\": \"\xff\"}", "the manifest is not valid JSON: "
		  "line 1, column 26: unable to decode byte 0xff near '\"'" },
		{ "[]", "the manifest is an array, not a JSON object (is it a gapimg manifest?)" },
		{ "{}", "not a gapimg manifest: it has no \"manifest\" format number" },
		{ "{\"manifest\": 1.0}", "not a gapimg manifest: it has no \"manifest\" format "
		  "number" },
		{ "{\"manifest\": 1}", "the manifest has no image" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].text, strlen(cases[i].text), cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deb_cyclonedx),
		cmocka_unit_test(test_deb_spdx),
		cmocka_unit_test(test_rpm_cyclonedx),
		cmocka_unit_test(test_rpm_spdx),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_manifest_image),
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_purl),
		cmocka_unit_test(test_license_kind),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_malformed_rpm),
		cmocka_unit_test(test_not_a_manifest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
