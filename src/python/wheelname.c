/* stub: being written */
#include "python/wheelname.h"
