/* Print the SHA-256 of every fragment block of an image, raw bytes as
 * stored, one per line. Used by bench/fragments.sh only. */
#include <stdio.h>
#include <stdlib.h>
#include <sqfs/compressor.h>
#include <sqfs/frag_table.h>
#include <sqfs/io.h>
#include <sqfs/super.h>
#include <sqfs/block.h>
#include <openssl/sha.h>
int main(int argc, char **argv) {
	sqfs_file_t *f = sqfs_open_file(argv[1], SQFS_FILE_OPEN_READ_ONLY);
	sqfs_compressor_config_t cfg; sqfs_compressor_t *cmp; sqfs_super_t super;
	sqfs_frag_table_t *tbl = sqfs_frag_table_create(0);
	static unsigned char buf[1<<21], md[32];
	sqfs_super_read(&super, f);
	sqfs_compressor_config_init(&cfg, super.compression_id, super.block_size, SQFS_COMP_FLAG_UNCOMPRESS);
	sqfs_compressor_create(&cfg, &cmp);
	sqfs_frag_table_read(tbl, f, &super, cmp);
	for (size_t i = 0; i < sqfs_frag_table_get_size(tbl); i++) {
		sqfs_fragment_t e; sqfs_frag_table_lookup(tbl, i, &e);
		unsigned sz = e.size & ((1u<<24)-1);
		f->read_at(f, e.start_offset, buf, sz);
		SHA256(buf, sz, md);
		for (int j = 0; j < 32; j++) printf("%02x", md[j]); printf("\n");
	}
	return 0;
}
