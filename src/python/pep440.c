/* stub: being written */
#include "python/pep440.h"
