/* stub: being written */
#include "python/metadata.h"
