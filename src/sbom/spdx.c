/* placeholder: being written */
typedef int gapimg_placeholder_spdx;
