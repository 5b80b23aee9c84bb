/* stub: being written */
#include "python/simple.h"
