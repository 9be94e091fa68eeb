// color kernels (to be implemented).
#include "skincore/image_view.hpp"
