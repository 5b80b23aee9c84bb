/* stub: being written */
#include "python/marker.h"
