/* Which backend reads a mirror. */
#include "mirror/mirror.h"

int mirror_load(struct mirror_load *ml)
{
	switch (ml->pm->type) {
	case GAPIMG_MIRROR_RPM_MD:
		return mirror_load_rpmmd(ml);
	case GAPIMG_MIRROR_RPM_DIR:
		return mirror_load_rpmdir(ml);
	case GAPIMG_MIRROR_DEB:
		return mirror_load_deb(ml);
	case GAPIMG_MIRROR_WHEELS:
		return mirror_load_wheels(ml);
	}
	return gapimg_error_set(ml->err, GAPIMG_E_INTERNAL, "mirror %s: unknown type",
				ml->pm->id);
}
