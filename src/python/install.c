/* stub: being written */
#include "python/install.h"
