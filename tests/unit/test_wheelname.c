#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "python/wheelname.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * What packaging 21.3 (vendored in Debian 12's pip 23) gives: the host's
 * own sys_tags() on CPython 3.11, x86_64, glibc 2.36, printed with
 *   python3 -c "from pip._vendor.packaging import tags;
 *               [print(t) for t in tags.sys_tags()]"
 */
static const char *const tags_cp311_x86_64_36[] = {
	"cp311-cp311-manylinux_2_36_x86_64",
	"cp311-cp311-manylinux_2_35_x86_64",
	"cp311-cp311-manylinux_2_34_x86_64",
	"cp311-cp311-manylinux_2_33_x86_64",
	"cp311-cp311-manylinux_2_32_x86_64",
	"cp311-cp311-manylinux_2_31_x86_64",
	"cp311-cp311-manylinux_2_30_x86_64",
	"cp311-cp311-manylinux_2_29_x86_64",
	"cp311-cp311-manylinux_2_28_x86_64",
	"cp311-cp311-manylinux_2_27_x86_64",
	"cp311-cp311-manylinux_2_26_x86_64",
	"cp311-cp311-manylinux_2_25_x86_64",
	"cp311-cp311-manylinux_2_24_x86_64",
	"cp311-cp311-manylinux_2_23_x86_64",
	"cp311-cp311-manylinux_2_22_x86_64",
	"cp311-cp311-manylinux_2_21_x86_64",
	"cp311-cp311-manylinux_2_20_x86_64",
	"cp311-cp311-manylinux_2_19_x86_64",
	"cp311-cp311-manylinux_2_18_x86_64",
	"cp311-cp311-manylinux_2_17_x86_64",
	"cp311-cp311-manylinux2014_x86_64",
	"cp311-cp311-manylinux_2_16_x86_64",
	"cp311-cp311-manylinux_2_15_x86_64",
	"cp311-cp311-manylinux_2_14_x86_64",
	"cp311-cp311-manylinux_2_13_x86_64",
	"cp311-cp311-manylinux_2_12_x86_64",
	"cp311-cp311-manylinux2010_x86_64",
	"cp311-cp311-manylinux_2_11_x86_64",
	"cp311-cp311-manylinux_2_10_x86_64",
	"cp311-cp311-manylinux_2_9_x86_64",
	"cp311-cp311-manylinux_2_8_x86_64",
	"cp311-cp311-manylinux_2_7_x86_64",
	"cp311-cp311-manylinux_2_6_x86_64",
	"cp311-cp311-manylinux_2_5_x86_64",
	"cp311-cp311-manylinux1_x86_64",
	"cp311-cp311-linux_x86_64",
	"cp311-abi3-manylinux_2_36_x86_64",
	"cp311-abi3-manylinux_2_35_x86_64",
	"cp311-abi3-manylinux_2_34_x86_64",
	"cp311-abi3-manylinux_2_33_x86_64",
	"cp311-abi3-manylinux_2_32_x86_64",
	"cp311-abi3-manylinux_2_31_x86_64",
	"cp311-abi3-manylinux_2_30_x86_64",
	"cp311-abi3-manylinux_2_29_x86_64",
	"cp311-abi3-manylinux_2_28_x86_64",
	"cp311-abi3-manylinux_2_27_x86_64",
	"cp311-abi3-manylinux_2_26_x86_64",
	"cp311-abi3-manylinux_2_25_x86_64",
	"cp311-abi3-manylinux_2_24_x86_64",
	"cp311-abi3-manylinux_2_23_x86_64",
	"cp311-abi3-manylinux_2_22_x86_64",
	"cp311-abi3-manylinux_2_21_x86_64",
	"cp311-abi3-manylinux_2_20_x86_64",
	"cp311-abi3-manylinux_2_19_x86_64",
	"cp311-abi3-manylinux_2_18_x86_64",
	"cp311-abi3-manylinux_2_17_x86_64",
	"cp311-abi3-manylinux2014_x86_64",
	"cp311-abi3-manylinux_2_16_x86_64",
	"cp311-abi3-manylinux_2_15_x86_64",
	"cp311-abi3-manylinux_2_14_x86_64",
	"cp311-abi3-manylinux_2_13_x86_64",
	"cp311-abi3-manylinux_2_12_x86_64",
	"cp311-abi3-manylinux2010_x86_64",
	"cp311-abi3-manylinux_2_11_x86_64",
	"cp311-abi3-manylinux_2_10_x86_64",
	"cp311-abi3-manylinux_2_9_x86_64",
	"cp311-abi3-manylinux_2_8_x86_64",
	"cp311-abi3-manylinux_2_7_x86_64",
	"cp311-abi3-manylinux_2_6_x86_64",
	"cp311-abi3-manylinux_2_5_x86_64",
	"cp311-abi3-manylinux1_x86_64",
	"cp311-abi3-linux_x86_64",
	"cp311-none-manylinux_2_36_x86_64",
	"cp311-none-manylinux_2_35_x86_64",
	"cp311-none-manylinux_2_34_x86_64",
	"cp311-none-manylinux_2_33_x86_64",
	"cp311-none-manylinux_2_32_x86_64",
	"cp311-none-manylinux_2_31_x86_64",
	"cp311-none-manylinux_2_30_x86_64",
	"cp311-none-manylinux_2_29_x86_64",
	"cp311-none-manylinux_2_28_x86_64",
	"cp311-none-manylinux_2_27_x86_64",
	"cp311-none-manylinux_2_26_x86_64",
	"cp311-none-manylinux_2_25_x86_64",
	"cp311-none-manylinux_2_24_x86_64",
	"cp311-none-manylinux_2_23_x86_64",
	"cp311-none-manylinux_2_22_x86_64",
	"cp311-none-manylinux_2_21_x86_64",
	"cp311-none-manylinux_2_20_x86_64",
	"cp311-none-manylinux_2_19_x86_64",
	"cp311-none-manylinux_2_18_x86_64",
	"cp311-none-manylinux_2_17_x86_64",
	"cp311-none-manylinux2014_x86_64",
	"cp311-none-manylinux_2_16_x86_64",
	"cp311-none-manylinux_2_15_x86_64",
	"cp311-none-manylinux_2_14_x86_64",
	"cp311-none-manylinux_2_13_x86_64",
	"cp311-none-manylinux_2_12_x86_64",
	"cp311-none-manylinux2010_x86_64",
	"cp311-none-manylinux_2_11_x86_64",
	"cp311-none-manylinux_2_10_x86_64",
	"cp311-none-manylinux_2_9_x86_64",
	"cp311-none-manylinux_2_8_x86_64",
	"cp311-none-manylinux_2_7_x86_64",
	"cp311-none-manylinux_2_6_x86_64",
	"cp311-none-manylinux_2_5_x86_64",
	"cp311-none-manylinux1_x86_64",
	"cp311-none-linux_x86_64",
	"cp310-abi3-manylinux_2_36_x86_64",
	"cp310-abi3-manylinux_2_35_x86_64",
	"cp310-abi3-manylinux_2_34_x86_64",
	"cp310-abi3-manylinux_2_33_x86_64",
	"cp310-abi3-manylinux_2_32_x86_64",
	"cp310-abi3-manylinux_2_31_x86_64",
	"cp310-abi3-manylinux_2_30_x86_64",
	"cp310-abi3-manylinux_2_29_x86_64",
	"cp310-abi3-manylinux_2_28_x86_64",
	"cp310-abi3-manylinux_2_27_x86_64",
	"cp310-abi3-manylinux_2_26_x86_64",
	"cp310-abi3-manylinux_2_25_x86_64",
	"cp310-abi3-manylinux_2_24_x86_64",
	"cp310-abi3-manylinux_2_23_x86_64",
	"cp310-abi3-manylinux_2_22_x86_64",
	"cp310-abi3-manylinux_2_21_x86_64",
	"cp310-abi3-manylinux_2_20_x86_64",
	"cp310-abi3-manylinux_2_19_x86_64",
	"cp310-abi3-manylinux_2_18_x86_64",
	"cp310-abi3-manylinux_2_17_x86_64",
	"cp310-abi3-manylinux2014_x86_64",
	"cp310-abi3-manylinux_2_16_x86_64",
	"cp310-abi3-manylinux_2_15_x86_64",
	"cp310-abi3-manylinux_2_14_x86_64",
	"cp310-abi3-manylinux_2_13_x86_64",
	"cp310-abi3-manylinux_2_12_x86_64",
	"cp310-abi3-manylinux2010_x86_64",
	"cp310-abi3-manylinux_2_11_x86_64",
	"cp310-abi3-manylinux_2_10_x86_64",
	"cp310-abi3-manylinux_2_9_x86_64",
	"cp310-abi3-manylinux_2_8_x86_64",
	"cp310-abi3-manylinux_2_7_x86_64",
	"cp310-abi3-manylinux_2_6_x86_64",
	"cp310-abi3-manylinux_2_5_x86_64",
	"cp310-abi3-manylinux1_x86_64",
	"cp310-abi3-linux_x86_64",
	"cp39-abi3-manylinux_2_36_x86_64",
	"cp39-abi3-manylinux_2_35_x86_64",
	"cp39-abi3-manylinux_2_34_x86_64",
	"cp39-abi3-manylinux_2_33_x86_64",
	"cp39-abi3-manylinux_2_32_x86_64",
	"cp39-abi3-manylinux_2_31_x86_64",
	"cp39-abi3-manylinux_2_30_x86_64",
	"cp39-abi3-manylinux_2_29_x86_64",
	"cp39-abi3-manylinux_2_28_x86_64",
	"cp39-abi3-manylinux_2_27_x86_64",
	"cp39-abi3-manylinux_2_26_x86_64",
	"cp39-abi3-manylinux_2_25_x86_64",
	"cp39-abi3-manylinux_2_24_x86_64",
	"cp39-abi3-manylinux_2_23_x86_64",
	"cp39-abi3-manylinux_2_22_x86_64",
	"cp39-abi3-manylinux_2_21_x86_64",
	"cp39-abi3-manylinux_2_20_x86_64",
	"cp39-abi3-manylinux_2_19_x86_64",
	"cp39-abi3-manylinux_2_18_x86_64",
	"cp39-abi3-manylinux_2_17_x86_64",
	"cp39-abi3-manylinux2014_x86_64",
	"cp39-abi3-manylinux_2_16_x86_64",
	"cp39-abi3-manylinux_2_15_x86_64",
	"cp39-abi3-manylinux_2_14_x86_64",
	"cp39-abi3-manylinux_2_13_x86_64",
	"cp39-abi3-manylinux_2_12_x86_64",
	"cp39-abi3-manylinux2010_x86_64",
	"cp39-abi3-manylinux_2_11_x86_64",
	"cp39-abi3-manylinux_2_10_x86_64",
	"cp39-abi3-manylinux_2_9_x86_64",
	"cp39-abi3-manylinux_2_8_x86_64",
	"cp39-abi3-manylinux_2_7_x86_64",
	"cp39-abi3-manylinux_2_6_x86_64",
	"cp39-abi3-manylinux_2_5_x86_64",
	"cp39-abi3-manylinux1_x86_64",
	"cp39-abi3-linux_x86_64",
	"cp38-abi3-manylinux_2_36_x86_64",
	"cp38-abi3-manylinux_2_35_x86_64",
	"cp38-abi3-manylinux_2_34_x86_64",
	"cp38-abi3-manylinux_2_33_x86_64",
	"cp38-abi3-manylinux_2_32_x86_64",
	"cp38-abi3-manylinux_2_31_x86_64",
	"cp38-abi3-manylinux_2_30_x86_64",
	"cp38-abi3-manylinux_2_29_x86_64",
	"cp38-abi3-manylinux_2_28_x86_64",
	"cp38-abi3-manylinux_2_27_x86_64",
	"cp38-abi3-manylinux_2_26_x86_64",
	"cp38-abi3-manylinux_2_25_x86_64",
	"cp38-abi3-manylinux_2_24_x86_64",
	"cp38-abi3-manylinux_2_23_x86_64",
	"cp38-abi3-manylinux_2_22_x86_64",
	"cp38-abi3-manylinux_2_21_x86_64",
	"cp38-abi3-manylinux_2_20_x86_64",
	"cp38-abi3-manylinux_2_19_x86_64",
	"cp38-abi3-manylinux_2_18_x86_64",
	"cp38-abi3-manylinux_2_17_x86_64",
	"cp38-abi3-manylinux2014_x86_64",
	"cp38-abi3-manylinux_2_16_x86_64",
	"cp38-abi3-manylinux_2_15_x86_64",
	"cp38-abi3-manylinux_2_14_x86_64",
	"cp38-abi3-manylinux_2_13_x86_64",
	"cp38-abi3-manylinux_2_12_x86_64",
	"cp38-abi3-manylinux2010_x86_64",
	"cp38-abi3-manylinux_2_11_x86_64",
	"cp38-abi3-manylinux_2_10_x86_64",
	"cp38-abi3-manylinux_2_9_x86_64",
	"cp38-abi3-manylinux_2_8_x86_64",
	"cp38-abi3-manylinux_2_7_x86_64",
	"cp38-abi3-manylinux_2_6_x86_64",
	"cp38-abi3-manylinux_2_5_x86_64",
	"cp38-abi3-manylinux1_x86_64",
	"cp38-abi3-linux_x86_64",
	"cp37-abi3-manylinux_2_36_x86_64",
	"cp37-abi3-manylinux_2_35_x86_64",
	"cp37-abi3-manylinux_2_34_x86_64",
	"cp37-abi3-manylinux_2_33_x86_64",
	"cp37-abi3-manylinux_2_32_x86_64",
	"cp37-abi3-manylinux_2_31_x86_64",
	"cp37-abi3-manylinux_2_30_x86_64",
	"cp37-abi3-manylinux_2_29_x86_64",
	"cp37-abi3-manylinux_2_28_x86_64",
	"cp37-abi3-manylinux_2_27_x86_64",
	"cp37-abi3-manylinux_2_26_x86_64",
	"cp37-abi3-manylinux_2_25_x86_64",
	"cp37-abi3-manylinux_2_24_x86_64",
	"cp37-abi3-manylinux_2_23_x86_64",
	"cp37-abi3-manylinux_2_22_x86_64",
	"cp37-abi3-manylinux_2_21_x86_64",
	"cp37-abi3-manylinux_2_20_x86_64",
	"cp37-abi3-manylinux_2_19_x86_64",
	"cp37-abi3-manylinux_2_18_x86_64",
	"cp37-abi3-manylinux_2_17_x86_64",
	"cp37-abi3-manylinux2014_x86_64",
	"cp37-abi3-manylinux_2_16_x86_64",
	"cp37-abi3-manylinux_2_15_x86_64",
	"cp37-abi3-manylinux_2_14_x86_64",
	"cp37-abi3-manylinux_2_13_x86_64",
	"cp37-abi3-manylinux_2_12_x86_64",
	"cp37-abi3-manylinux2010_x86_64",
	"cp37-abi3-manylinux_2_11_x86_64",
	"cp37-abi3-manylinux_2_10_x86_64",
	"cp37-abi3-manylinux_2_9_x86_64",
	"cp37-abi3-manylinux_2_8_x86_64",
	"cp37-abi3-manylinux_2_7_x86_64",
	"cp37-abi3-manylinux_2_6_x86_64",
	"cp37-abi3-manylinux_2_5_x86_64",
	"cp37-abi3-manylinux1_x86_64",
	"cp37-abi3-linux_x86_64",
	"cp36-abi3-manylinux_2_36_x86_64",
	"cp36-abi3-manylinux_2_35_x86_64",
	"cp36-abi3-manylinux_2_34_x86_64",
	"cp36-abi3-manylinux_2_33_x86_64",
	"cp36-abi3-manylinux_2_32_x86_64",
	"cp36-abi3-manylinux_2_31_x86_64",
	"cp36-abi3-manylinux_2_30_x86_64",
	"cp36-abi3-manylinux_2_29_x86_64",
	"cp36-abi3-manylinux_2_28_x86_64",
	"cp36-abi3-manylinux_2_27_x86_64",
	"cp36-abi3-manylinux_2_26_x86_64",
	"cp36-abi3-manylinux_2_25_x86_64",
	"cp36-abi3-manylinux_2_24_x86_64",
	"cp36-abi3-manylinux_2_23_x86_64",
	"cp36-abi3-manylinux_2_22_x86_64",
	"cp36-abi3-manylinux_2_21_x86_64",
	"cp36-abi3-manylinux_2_20_x86_64",
	"cp36-abi3-manylinux_2_19_x86_64",
	"cp36-abi3-manylinux_2_18_x86_64",
	"cp36-abi3-manylinux_2_17_x86_64",
	"cp36-abi3-manylinux2014_x86_64",
	"cp36-abi3-manylinux_2_16_x86_64",
	"cp36-abi3-manylinux_2_15_x86_64",
	"cp36-abi3-manylinux_2_14_x86_64",
	"cp36-abi3-manylinux_2_13_x86_64",
	"cp36-abi3-manylinux_2_12_x86_64",
	"cp36-abi3-manylinux2010_x86_64",
	"cp36-abi3-manylinux_2_11_x86_64",
	"cp36-abi3-manylinux_2_10_x86_64",
	"cp36-abi3-manylinux_2_9_x86_64",
	"cp36-abi3-manylinux_2_8_x86_64",
	"cp36-abi3-manylinux_2_7_x86_64",
	"cp36-abi3-manylinux_2_6_x86_64",
	"cp36-abi3-manylinux_2_5_x86_64",
	"cp36-abi3-manylinux1_x86_64",
	"cp36-abi3-linux_x86_64",
	"cp35-abi3-manylinux_2_36_x86_64",
	"cp35-abi3-manylinux_2_35_x86_64",
	"cp35-abi3-manylinux_2_34_x86_64",
	"cp35-abi3-manylinux_2_33_x86_64",
	"cp35-abi3-manylinux_2_32_x86_64",
	"cp35-abi3-manylinux_2_31_x86_64",
	"cp35-abi3-manylinux_2_30_x86_64",
	"cp35-abi3-manylinux_2_29_x86_64",
	"cp35-abi3-manylinux_2_28_x86_64",
	"cp35-abi3-manylinux_2_27_x86_64",
	"cp35-abi3-manylinux_2_26_x86_64",
	"cp35-abi3-manylinux_2_25_x86_64",
	"cp35-abi3-manylinux_2_24_x86_64",
	"cp35-abi3-manylinux_2_23_x86_64",
	"cp35-abi3-manylinux_2_22_x86_64",
	"cp35-abi3-manylinux_2_21_x86_64",
	"cp35-abi3-manylinux_2_20_x86_64",
	"cp35-abi3-manylinux_2_19_x86_64",
	"cp35-abi3-manylinux_2_18_x86_64",
	"cp35-abi3-manylinux_2_17_x86_64",
	"cp35-abi3-manylinux2014_x86_64",
	"cp35-abi3-manylinux_2_16_x86_64",
	"cp35-abi3-manylinux_2_15_x86_64",
	"cp35-abi3-manylinux_2_14_x86_64",
	"cp35-abi3-manylinux_2_13_x86_64",
	"cp35-abi3-manylinux_2_12_x86_64",
	"cp35-abi3-manylinux2010_x86_64",
	"cp35-abi3-manylinux_2_11_x86_64",
	"cp35-abi3-manylinux_2_10_x86_64",
	"cp35-abi3-manylinux_2_9_x86_64",
	"cp35-abi3-manylinux_2_8_x86_64",
	"cp35-abi3-manylinux_2_7_x86_64",
	"cp35-abi3-manylinux_2_6_x86_64",
	"cp35-abi3-manylinux_2_5_x86_64",
	"cp35-abi3-manylinux1_x86_64",
	"cp35-abi3-linux_x86_64",
	"cp34-abi3-manylinux_2_36_x86_64",
	"cp34-abi3-manylinux_2_35_x86_64",
	"cp34-abi3-manylinux_2_34_x86_64",
	"cp34-abi3-manylinux_2_33_x86_64",
	"cp34-abi3-manylinux_2_32_x86_64",
	"cp34-abi3-manylinux_2_31_x86_64",
	"cp34-abi3-manylinux_2_30_x86_64",
	"cp34-abi3-manylinux_2_29_x86_64",
	"cp34-abi3-manylinux_2_28_x86_64",
	"cp34-abi3-manylinux_2_27_x86_64",
	"cp34-abi3-manylinux_2_26_x86_64",
	"cp34-abi3-manylinux_2_25_x86_64",
	"cp34-abi3-manylinux_2_24_x86_64",
	"cp34-abi3-manylinux_2_23_x86_64",
	"cp34-abi3-manylinux_2_22_x86_64",
	"cp34-abi3-manylinux_2_21_x86_64",
	"cp34-abi3-manylinux_2_20_x86_64",
	"cp34-abi3-manylinux_2_19_x86_64",
	"cp34-abi3-manylinux_2_18_x86_64",
	"cp34-abi3-manylinux_2_17_x86_64",
	"cp34-abi3-manylinux2014_x86_64",
	"cp34-abi3-manylinux_2_16_x86_64",
	"cp34-abi3-manylinux_2_15_x86_64",
	"cp34-abi3-manylinux_2_14_x86_64",
	"cp34-abi3-manylinux_2_13_x86_64",
	"cp34-abi3-manylinux_2_12_x86_64",
	"cp34-abi3-manylinux2010_x86_64",
	"cp34-abi3-manylinux_2_11_x86_64",
	"cp34-abi3-manylinux_2_10_x86_64",
	"cp34-abi3-manylinux_2_9_x86_64",
	"cp34-abi3-manylinux_2_8_x86_64",
	"cp34-abi3-manylinux_2_7_x86_64",
	"cp34-abi3-manylinux_2_6_x86_64",
	"cp34-abi3-manylinux_2_5_x86_64",
	"cp34-abi3-manylinux1_x86_64",
	"cp34-abi3-linux_x86_64",
	"cp33-abi3-manylinux_2_36_x86_64",
	"cp33-abi3-manylinux_2_35_x86_64",
	"cp33-abi3-manylinux_2_34_x86_64",
	"cp33-abi3-manylinux_2_33_x86_64",
	"cp33-abi3-manylinux_2_32_x86_64",
	"cp33-abi3-manylinux_2_31_x86_64",
	"cp33-abi3-manylinux_2_30_x86_64",
	"cp33-abi3-manylinux_2_29_x86_64",
	"cp33-abi3-manylinux_2_28_x86_64",
	"cp33-abi3-manylinux_2_27_x86_64",
	"cp33-abi3-manylinux_2_26_x86_64",
	"cp33-abi3-manylinux_2_25_x86_64",
	"cp33-abi3-manylinux_2_24_x86_64",
	"cp33-abi3-manylinux_2_23_x86_64",
	"cp33-abi3-manylinux_2_22_x86_64",
	"cp33-abi3-manylinux_2_21_x86_64",
	"cp33-abi3-manylinux_2_20_x86_64",
	"cp33-abi3-manylinux_2_19_x86_64",
	"cp33-abi3-manylinux_2_18_x86_64",
	"cp33-abi3-manylinux_2_17_x86_64",
	"cp33-abi3-manylinux2014_x86_64",
	"cp33-abi3-manylinux_2_16_x86_64",
	"cp33-abi3-manylinux_2_15_x86_64",
	"cp33-abi3-manylinux_2_14_x86_64",
	"cp33-abi3-manylinux_2_13_x86_64",
	"cp33-abi3-manylinux_2_12_x86_64",
	"cp33-abi3-manylinux2010_x86_64",
	"cp33-abi3-manylinux_2_11_x86_64",
	"cp33-abi3-manylinux_2_10_x86_64",
	"cp33-abi3-manylinux_2_9_x86_64",
	"cp33-abi3-manylinux_2_8_x86_64",
	"cp33-abi3-manylinux_2_7_x86_64",
	"cp33-abi3-manylinux_2_6_x86_64",
	"cp33-abi3-manylinux_2_5_x86_64",
	"cp33-abi3-manylinux1_x86_64",
	"cp33-abi3-linux_x86_64",
	"cp32-abi3-manylinux_2_36_x86_64",
	"cp32-abi3-manylinux_2_35_x86_64",
	"cp32-abi3-manylinux_2_34_x86_64",
	"cp32-abi3-manylinux_2_33_x86_64",
	"cp32-abi3-manylinux_2_32_x86_64",
	"cp32-abi3-manylinux_2_31_x86_64",
	"cp32-abi3-manylinux_2_30_x86_64",
	"cp32-abi3-manylinux_2_29_x86_64",
	"cp32-abi3-manylinux_2_28_x86_64",
	"cp32-abi3-manylinux_2_27_x86_64",
	"cp32-abi3-manylinux_2_26_x86_64",
	"cp32-abi3-manylinux_2_25_x86_64",
	"cp32-abi3-manylinux_2_24_x86_64",
	"cp32-abi3-manylinux_2_23_x86_64",
	"cp32-abi3-manylinux_2_22_x86_64",
	"cp32-abi3-manylinux_2_21_x86_64",
	"cp32-abi3-manylinux_2_20_x86_64",
	"cp32-abi3-manylinux_2_19_x86_64",
	"cp32-abi3-manylinux_2_18_x86_64",
	"cp32-abi3-manylinux_2_17_x86_64",
	"cp32-abi3-manylinux2014_x86_64",
	"cp32-abi3-manylinux_2_16_x86_64",
	"cp32-abi3-manylinux_2_15_x86_64",
	"cp32-abi3-manylinux_2_14_x86_64",
	"cp32-abi3-manylinux_2_13_x86_64",
	"cp32-abi3-manylinux_2_12_x86_64",
	"cp32-abi3-manylinux2010_x86_64",
	"cp32-abi3-manylinux_2_11_x86_64",
	"cp32-abi3-manylinux_2_10_x86_64",
	"cp32-abi3-manylinux_2_9_x86_64",
	"cp32-abi3-manylinux_2_8_x86_64",
	"cp32-abi3-manylinux_2_7_x86_64",
	"cp32-abi3-manylinux_2_6_x86_64",
	"cp32-abi3-manylinux_2_5_x86_64",
	"cp32-abi3-manylinux1_x86_64",
	"cp32-abi3-linux_x86_64",
	"py311-none-manylinux_2_36_x86_64",
	"py311-none-manylinux_2_35_x86_64",
	"py311-none-manylinux_2_34_x86_64",
	"py311-none-manylinux_2_33_x86_64",
	"py311-none-manylinux_2_32_x86_64",
	"py311-none-manylinux_2_31_x86_64",
	"py311-none-manylinux_2_30_x86_64",
	"py311-none-manylinux_2_29_x86_64",
	"py311-none-manylinux_2_28_x86_64",
	"py311-none-manylinux_2_27_x86_64",
	"py311-none-manylinux_2_26_x86_64",
	"py311-none-manylinux_2_25_x86_64",
	"py311-none-manylinux_2_24_x86_64",
	"py311-none-manylinux_2_23_x86_64",
	"py311-none-manylinux_2_22_x86_64",
	"py311-none-manylinux_2_21_x86_64",
	"py311-none-manylinux_2_20_x86_64",
	"py311-none-manylinux_2_19_x86_64",
	"py311-none-manylinux_2_18_x86_64",
	"py311-none-manylinux_2_17_x86_64",
	"py311-none-manylinux2014_x86_64",
	"py311-none-manylinux_2_16_x86_64",
	"py311-none-manylinux_2_15_x86_64",
	"py311-none-manylinux_2_14_x86_64",
	"py311-none-manylinux_2_13_x86_64",
	"py311-none-manylinux_2_12_x86_64",
	"py311-none-manylinux2010_x86_64",
	"py311-none-manylinux_2_11_x86_64",
	"py311-none-manylinux_2_10_x86_64",
	"py311-none-manylinux_2_9_x86_64",
	"py311-none-manylinux_2_8_x86_64",
	"py311-none-manylinux_2_7_x86_64",
	"py311-none-manylinux_2_6_x86_64",
	"py311-none-manylinux_2_5_x86_64",
	"py311-none-manylinux1_x86_64",
	"py311-none-linux_x86_64",
	"py3-none-manylinux_2_36_x86_64",
	"py3-none-manylinux_2_35_x86_64",
	"py3-none-manylinux_2_34_x86_64",
	"py3-none-manylinux_2_33_x86_64",
	"py3-none-manylinux_2_32_x86_64",
	"py3-none-manylinux_2_31_x86_64",
	"py3-none-manylinux_2_30_x86_64",
	"py3-none-manylinux_2_29_x86_64",
	"py3-none-manylinux_2_28_x86_64",
	"py3-none-manylinux_2_27_x86_64",
	"py3-none-manylinux_2_26_x86_64",
	"py3-none-manylinux_2_25_x86_64",
	"py3-none-manylinux_2_24_x86_64",
	"py3-none-manylinux_2_23_x86_64",
	"py3-none-manylinux_2_22_x86_64",
	"py3-none-manylinux_2_21_x86_64",
	"py3-none-manylinux_2_20_x86_64",
	"py3-none-manylinux_2_19_x86_64",
	"py3-none-manylinux_2_18_x86_64",
	"py3-none-manylinux_2_17_x86_64",
	"py3-none-manylinux2014_x86_64",
	"py3-none-manylinux_2_16_x86_64",
	"py3-none-manylinux_2_15_x86_64",
	"py3-none-manylinux_2_14_x86_64",
	"py3-none-manylinux_2_13_x86_64",
	"py3-none-manylinux_2_12_x86_64",
	"py3-none-manylinux2010_x86_64",
	"py3-none-manylinux_2_11_x86_64",
	"py3-none-manylinux_2_10_x86_64",
	"py3-none-manylinux_2_9_x86_64",
	"py3-none-manylinux_2_8_x86_64",
	"py3-none-manylinux_2_7_x86_64",
	"py3-none-manylinux_2_6_x86_64",
	"py3-none-manylinux_2_5_x86_64",
	"py3-none-manylinux1_x86_64",
	"py3-none-linux_x86_64",
	"py310-none-manylinux_2_36_x86_64",
	"py310-none-manylinux_2_35_x86_64",
	"py310-none-manylinux_2_34_x86_64",
	"py310-none-manylinux_2_33_x86_64",
	"py310-none-manylinux_2_32_x86_64",
	"py310-none-manylinux_2_31_x86_64",
	"py310-none-manylinux_2_30_x86_64",
	"py310-none-manylinux_2_29_x86_64",
	"py310-none-manylinux_2_28_x86_64",
	"py310-none-manylinux_2_27_x86_64",
	"py310-none-manylinux_2_26_x86_64",
	"py310-none-manylinux_2_25_x86_64",
	"py310-none-manylinux_2_24_x86_64",
	"py310-none-manylinux_2_23_x86_64",
	"py310-none-manylinux_2_22_x86_64",
	"py310-none-manylinux_2_21_x86_64",
	"py310-none-manylinux_2_20_x86_64",
	"py310-none-manylinux_2_19_x86_64",
	"py310-none-manylinux_2_18_x86_64",
	"py310-none-manylinux_2_17_x86_64",
	"py310-none-manylinux2014_x86_64",
	"py310-none-manylinux_2_16_x86_64",
	"py310-none-manylinux_2_15_x86_64",
	"py310-none-manylinux_2_14_x86_64",
	"py310-none-manylinux_2_13_x86_64",
	"py310-none-manylinux_2_12_x86_64",
	"py310-none-manylinux2010_x86_64",
	"py310-none-manylinux_2_11_x86_64",
	"py310-none-manylinux_2_10_x86_64",
	"py310-none-manylinux_2_9_x86_64",
	"py310-none-manylinux_2_8_x86_64",
	"py310-none-manylinux_2_7_x86_64",
	"py310-none-manylinux_2_6_x86_64",
	"py310-none-manylinux_2_5_x86_64",
	"py310-none-manylinux1_x86_64",
	"py310-none-linux_x86_64",
	"py39-none-manylinux_2_36_x86_64",
	"py39-none-manylinux_2_35_x86_64",
	"py39-none-manylinux_2_34_x86_64",
	"py39-none-manylinux_2_33_x86_64",
	"py39-none-manylinux_2_32_x86_64",
	"py39-none-manylinux_2_31_x86_64",
	"py39-none-manylinux_2_30_x86_64",
	"py39-none-manylinux_2_29_x86_64",
	"py39-none-manylinux_2_28_x86_64",
	"py39-none-manylinux_2_27_x86_64",
	"py39-none-manylinux_2_26_x86_64",
	"py39-none-manylinux_2_25_x86_64",
	"py39-none-manylinux_2_24_x86_64",
	"py39-none-manylinux_2_23_x86_64",
	"py39-none-manylinux_2_22_x86_64",
	"py39-none-manylinux_2_21_x86_64",
	"py39-none-manylinux_2_20_x86_64",
	"py39-none-manylinux_2_19_x86_64",
	"py39-none-manylinux_2_18_x86_64",
	"py39-none-manylinux_2_17_x86_64",
	"py39-none-manylinux2014_x86_64",
	"py39-none-manylinux_2_16_x86_64",
	"py39-none-manylinux_2_15_x86_64",
	"py39-none-manylinux_2_14_x86_64",
	"py39-none-manylinux_2_13_x86_64",
	"py39-none-manylinux_2_12_x86_64",
	"py39-none-manylinux2010_x86_64",
	"py39-none-manylinux_2_11_x86_64",
	"py39-none-manylinux_2_10_x86_64",
	"py39-none-manylinux_2_9_x86_64",
	"py39-none-manylinux_2_8_x86_64",
	"py39-none-manylinux_2_7_x86_64",
	"py39-none-manylinux_2_6_x86_64",
	"py39-none-manylinux_2_5_x86_64",
	"py39-none-manylinux1_x86_64",
	"py39-none-linux_x86_64",
	"py38-none-manylinux_2_36_x86_64",
	"py38-none-manylinux_2_35_x86_64",
	"py38-none-manylinux_2_34_x86_64",
	"py38-none-manylinux_2_33_x86_64",
	"py38-none-manylinux_2_32_x86_64",
	"py38-none-manylinux_2_31_x86_64",
	"py38-none-manylinux_2_30_x86_64",
	"py38-none-manylinux_2_29_x86_64",
	"py38-none-manylinux_2_28_x86_64",
	"py38-none-manylinux_2_27_x86_64",
	"py38-none-manylinux_2_26_x86_64",
	"py38-none-manylinux_2_25_x86_64",
	"py38-none-manylinux_2_24_x86_64",
	"py38-none-manylinux_2_23_x86_64",
	"py38-none-manylinux_2_22_x86_64",
	"py38-none-manylinux_2_21_x86_64",
	"py38-none-manylinux_2_20_x86_64",
	"py38-none-manylinux_2_19_x86_64",
	"py38-none-manylinux_2_18_x86_64",
	"py38-none-manylinux_2_17_x86_64",
	"py38-none-manylinux2014_x86_64",
	"py38-none-manylinux_2_16_x86_64",
	"py38-none-manylinux_2_15_x86_64",
	"py38-none-manylinux_2_14_x86_64",
	"py38-none-manylinux_2_13_x86_64",
	"py38-none-manylinux_2_12_x86_64",
	"py38-none-manylinux2010_x86_64",
	"py38-none-manylinux_2_11_x86_64",
	"py38-none-manylinux_2_10_x86_64",
	"py38-none-manylinux_2_9_x86_64",
	"py38-none-manylinux_2_8_x86_64",
	"py38-none-manylinux_2_7_x86_64",
	"py38-none-manylinux_2_6_x86_64",
	"py38-none-manylinux_2_5_x86_64",
	"py38-none-manylinux1_x86_64",
	"py38-none-linux_x86_64",
	"py37-none-manylinux_2_36_x86_64",
	"py37-none-manylinux_2_35_x86_64",
	"py37-none-manylinux_2_34_x86_64",
	"py37-none-manylinux_2_33_x86_64",
	"py37-none-manylinux_2_32_x86_64",
	"py37-none-manylinux_2_31_x86_64",
	"py37-none-manylinux_2_30_x86_64",
	"py37-none-manylinux_2_29_x86_64",
	"py37-none-manylinux_2_28_x86_64",
	"py37-none-manylinux_2_27_x86_64",
	"py37-none-manylinux_2_26_x86_64",
	"py37-none-manylinux_2_25_x86_64",
	"py37-none-manylinux_2_24_x86_64",
	"py37-none-manylinux_2_23_x86_64",
	"py37-none-manylinux_2_22_x86_64",
	"py37-none-manylinux_2_21_x86_64",
	"py37-none-manylinux_2_20_x86_64",
	"py37-none-manylinux_2_19_x86_64",
	"py37-none-manylinux_2_18_x86_64",
	"py37-none-manylinux_2_17_x86_64",
	"py37-none-manylinux2014_x86_64",
	"py37-none-manylinux_2_16_x86_64",
	"py37-none-manylinux_2_15_x86_64",
	"py37-none-manylinux_2_14_x86_64",
	"py37-none-manylinux_2_13_x86_64",
	"py37-none-manylinux_2_12_x86_64",
	"py37-none-manylinux2010_x86_64",
	"py37-none-manylinux_2_11_x86_64",
	"py37-none-manylinux_2_10_x86_64",
	"py37-none-manylinux_2_9_x86_64",
	"py37-none-manylinux_2_8_x86_64",
	"py37-none-manylinux_2_7_x86_64",
	"py37-none-manylinux_2_6_x86_64",
	"py37-none-manylinux_2_5_x86_64",
	"py37-none-manylinux1_x86_64",
	"py37-none-linux_x86_64",
	"py36-none-manylinux_2_36_x86_64",
	"py36-none-manylinux_2_35_x86_64",
	"py36-none-manylinux_2_34_x86_64",
	"py36-none-manylinux_2_33_x86_64",
	"py36-none-manylinux_2_32_x86_64",
	"py36-none-manylinux_2_31_x86_64",
	"py36-none-manylinux_2_30_x86_64",
	"py36-none-manylinux_2_29_x86_64",
	"py36-none-manylinux_2_28_x86_64",
	"py36-none-manylinux_2_27_x86_64",
	"py36-none-manylinux_2_26_x86_64",
	"py36-none-manylinux_2_25_x86_64",
	"py36-none-manylinux_2_24_x86_64",
	"py36-none-manylinux_2_23_x86_64",
	"py36-none-manylinux_2_22_x86_64",
	"py36-none-manylinux_2_21_x86_64",
	"py36-none-manylinux_2_20_x86_64",
	"py36-none-manylinux_2_19_x86_64",
	"py36-none-manylinux_2_18_x86_64",
	"py36-none-manylinux_2_17_x86_64",
	"py36-none-manylinux2014_x86_64",
	"py36-none-manylinux_2_16_x86_64",
	"py36-none-manylinux_2_15_x86_64",
	"py36-none-manylinux_2_14_x86_64",
	"py36-none-manylinux_2_13_x86_64",
	"py36-none-manylinux_2_12_x86_64",
	"py36-none-manylinux2010_x86_64",
	"py36-none-manylinux_2_11_x86_64",
	"py36-none-manylinux_2_10_x86_64",
	"py36-none-manylinux_2_9_x86_64",
	"py36-none-manylinux_2_8_x86_64",
	"py36-none-manylinux_2_7_x86_64",
	"py36-none-manylinux_2_6_x86_64",
	"py36-none-manylinux_2_5_x86_64",
	"py36-none-manylinux1_x86_64",
	"py36-none-linux_x86_64",
	"py35-none-manylinux_2_36_x86_64",
	"py35-none-manylinux_2_35_x86_64",
	"py35-none-manylinux_2_34_x86_64",
	"py35-none-manylinux_2_33_x86_64",
	"py35-none-manylinux_2_32_x86_64",
	"py35-none-manylinux_2_31_x86_64",
	"py35-none-manylinux_2_30_x86_64",
	"py35-none-manylinux_2_29_x86_64",
	"py35-none-manylinux_2_28_x86_64",
	"py35-none-manylinux_2_27_x86_64",
	"py35-none-manylinux_2_26_x86_64",
	"py35-none-manylinux_2_25_x86_64",
	"py35-none-manylinux_2_24_x86_64",
	"py35-none-manylinux_2_23_x86_64",
	"py35-none-manylinux_2_22_x86_64",
	"py35-none-manylinux_2_21_x86_64",
	"py35-none-manylinux_2_20_x86_64",
	"py35-none-manylinux_2_19_x86_64",
	"py35-none-manylinux_2_18_x86_64",
	"py35-none-manylinux_2_17_x86_64",
	"py35-none-manylinux2014_x86_64",
	"py35-none-manylinux_2_16_x86_64",
	"py35-none-manylinux_2_15_x86_64",
	"py35-none-manylinux_2_14_x86_64",
	"py35-none-manylinux_2_13_x86_64",
	"py35-none-manylinux_2_12_x86_64",
	"py35-none-manylinux2010_x86_64",
	"py35-none-manylinux_2_11_x86_64",
	"py35-none-manylinux_2_10_x86_64",
	"py35-none-manylinux_2_9_x86_64",
	"py35-none-manylinux_2_8_x86_64",
	"py35-none-manylinux_2_7_x86_64",
	"py35-none-manylinux_2_6_x86_64",
	"py35-none-manylinux_2_5_x86_64",
	"py35-none-manylinux1_x86_64",
	"py35-none-linux_x86_64",
	"py34-none-manylinux_2_36_x86_64",
	"py34-none-manylinux_2_35_x86_64",
	"py34-none-manylinux_2_34_x86_64",
	"py34-none-manylinux_2_33_x86_64",
	"py34-none-manylinux_2_32_x86_64",
	"py34-none-manylinux_2_31_x86_64",
	"py34-none-manylinux_2_30_x86_64",
	"py34-none-manylinux_2_29_x86_64",
	"py34-none-manylinux_2_28_x86_64",
	"py34-none-manylinux_2_27_x86_64",
	"py34-none-manylinux_2_26_x86_64",
	"py34-none-manylinux_2_25_x86_64",
	"py34-none-manylinux_2_24_x86_64",
	"py34-none-manylinux_2_23_x86_64",
	"py34-none-manylinux_2_22_x86_64",
	"py34-none-manylinux_2_21_x86_64",
	"py34-none-manylinux_2_20_x86_64",
	"py34-none-manylinux_2_19_x86_64",
	"py34-none-manylinux_2_18_x86_64",
	"py34-none-manylinux_2_17_x86_64",
	"py34-none-manylinux2014_x86_64",
	"py34-none-manylinux_2_16_x86_64",
	"py34-none-manylinux_2_15_x86_64",
	"py34-none-manylinux_2_14_x86_64",
	"py34-none-manylinux_2_13_x86_64",
	"py34-none-manylinux_2_12_x86_64",
	"py34-none-manylinux2010_x86_64",
	"py34-none-manylinux_2_11_x86_64",
	"py34-none-manylinux_2_10_x86_64",
	"py34-none-manylinux_2_9_x86_64",
	"py34-none-manylinux_2_8_x86_64",
	"py34-none-manylinux_2_7_x86_64",
	"py34-none-manylinux_2_6_x86_64",
	"py34-none-manylinux_2_5_x86_64",
	"py34-none-manylinux1_x86_64",
	"py34-none-linux_x86_64",
	"py33-none-manylinux_2_36_x86_64",
	"py33-none-manylinux_2_35_x86_64",
	"py33-none-manylinux_2_34_x86_64",
	"py33-none-manylinux_2_33_x86_64",
	"py33-none-manylinux_2_32_x86_64",
	"py33-none-manylinux_2_31_x86_64",
	"py33-none-manylinux_2_30_x86_64",
	"py33-none-manylinux_2_29_x86_64",
	"py33-none-manylinux_2_28_x86_64",
	"py33-none-manylinux_2_27_x86_64",
	"py33-none-manylinux_2_26_x86_64",
	"py33-none-manylinux_2_25_x86_64",
	"py33-none-manylinux_2_24_x86_64",
	"py33-none-manylinux_2_23_x86_64",
	"py33-none-manylinux_2_22_x86_64",
	"py33-none-manylinux_2_21_x86_64",
	"py33-none-manylinux_2_20_x86_64",
	"py33-none-manylinux_2_19_x86_64",
	"py33-none-manylinux_2_18_x86_64",
	"py33-none-manylinux_2_17_x86_64",
	"py33-none-manylinux2014_x86_64",
	"py33-none-manylinux_2_16_x86_64",
	"py33-none-manylinux_2_15_x86_64",
	"py33-none-manylinux_2_14_x86_64",
	"py33-none-manylinux_2_13_x86_64",
	"py33-none-manylinux_2_12_x86_64",
	"py33-none-manylinux2010_x86_64",
	"py33-none-manylinux_2_11_x86_64",
	"py33-none-manylinux_2_10_x86_64",
	"py33-none-manylinux_2_9_x86_64",
	"py33-none-manylinux_2_8_x86_64",
	"py33-none-manylinux_2_7_x86_64",
	"py33-none-manylinux_2_6_x86_64",
	"py33-none-manylinux_2_5_x86_64",
	"py33-none-manylinux1_x86_64",
	"py33-none-linux_x86_64",
	"py32-none-manylinux_2_36_x86_64",
	"py32-none-manylinux_2_35_x86_64",
	"py32-none-manylinux_2_34_x86_64",
	"py32-none-manylinux_2_33_x86_64",
	"py32-none-manylinux_2_32_x86_64",
	"py32-none-manylinux_2_31_x86_64",
	"py32-none-manylinux_2_30_x86_64",
	"py32-none-manylinux_2_29_x86_64",
	"py32-none-manylinux_2_28_x86_64",
	"py32-none-manylinux_2_27_x86_64",
	"py32-none-manylinux_2_26_x86_64",
	"py32-none-manylinux_2_25_x86_64",
	"py32-none-manylinux_2_24_x86_64",
	"py32-none-manylinux_2_23_x86_64",
	"py32-none-manylinux_2_22_x86_64",
	"py32-none-manylinux_2_21_x86_64",
	"py32-none-manylinux_2_20_x86_64",
	"py32-none-manylinux_2_19_x86_64",
	"py32-none-manylinux_2_18_x86_64",
	"py32-none-manylinux_2_17_x86_64",
	"py32-none-manylinux2014_x86_64",
	"py32-none-manylinux_2_16_x86_64",
	"py32-none-manylinux_2_15_x86_64",
	"py32-none-manylinux_2_14_x86_64",
	"py32-none-manylinux_2_13_x86_64",
	"py32-none-manylinux_2_12_x86_64",
	"py32-none-manylinux2010_x86_64",
	"py32-none-manylinux_2_11_x86_64",
	"py32-none-manylinux_2_10_x86_64",
	"py32-none-manylinux_2_9_x86_64",
	"py32-none-manylinux_2_8_x86_64",
	"py32-none-manylinux_2_7_x86_64",
	"py32-none-manylinux_2_6_x86_64",
	"py32-none-manylinux_2_5_x86_64",
	"py32-none-manylinux1_x86_64",
	"py32-none-linux_x86_64",
	"py31-none-manylinux_2_36_x86_64",
	"py31-none-manylinux_2_35_x86_64",
	"py31-none-manylinux_2_34_x86_64",
	"py31-none-manylinux_2_33_x86_64",
	"py31-none-manylinux_2_32_x86_64",
	"py31-none-manylinux_2_31_x86_64",
	"py31-none-manylinux_2_30_x86_64",
	"py31-none-manylinux_2_29_x86_64",
	"py31-none-manylinux_2_28_x86_64",
	"py31-none-manylinux_2_27_x86_64",
	"py31-none-manylinux_2_26_x86_64",
	"py31-none-manylinux_2_25_x86_64",
	"py31-none-manylinux_2_24_x86_64",
	"py31-none-manylinux_2_23_x86_64",
	"py31-none-manylinux_2_22_x86_64",
	"py31-none-manylinux_2_21_x86_64",
	"py31-none-manylinux_2_20_x86_64",
	"py31-none-manylinux_2_19_x86_64",
	"py31-none-manylinux_2_18_x86_64",
	"py31-none-manylinux_2_17_x86_64",
	"py31-none-manylinux2014_x86_64",
	"py31-none-manylinux_2_16_x86_64",
	"py31-none-manylinux_2_15_x86_64",
	"py31-none-manylinux_2_14_x86_64",
	"py31-none-manylinux_2_13_x86_64",
	"py31-none-manylinux_2_12_x86_64",
	"py31-none-manylinux2010_x86_64",
	"py31-none-manylinux_2_11_x86_64",
	"py31-none-manylinux_2_10_x86_64",
	"py31-none-manylinux_2_9_x86_64",
	"py31-none-manylinux_2_8_x86_64",
	"py31-none-manylinux_2_7_x86_64",
	"py31-none-manylinux_2_6_x86_64",
	"py31-none-manylinux_2_5_x86_64",
	"py31-none-manylinux1_x86_64",
	"py31-none-linux_x86_64",
	"py30-none-manylinux_2_36_x86_64",
	"py30-none-manylinux_2_35_x86_64",
	"py30-none-manylinux_2_34_x86_64",
	"py30-none-manylinux_2_33_x86_64",
	"py30-none-manylinux_2_32_x86_64",
	"py30-none-manylinux_2_31_x86_64",
	"py30-none-manylinux_2_30_x86_64",
	"py30-none-manylinux_2_29_x86_64",
	"py30-none-manylinux_2_28_x86_64",
	"py30-none-manylinux_2_27_x86_64",
	"py30-none-manylinux_2_26_x86_64",
	"py30-none-manylinux_2_25_x86_64",
	"py30-none-manylinux_2_24_x86_64",
	"py30-none-manylinux_2_23_x86_64",
	"py30-none-manylinux_2_22_x86_64",
	"py30-none-manylinux_2_21_x86_64",
	"py30-none-manylinux_2_20_x86_64",
	"py30-none-manylinux_2_19_x86_64",
	"py30-none-manylinux_2_18_x86_64",
	"py30-none-manylinux_2_17_x86_64",
	"py30-none-manylinux2014_x86_64",
	"py30-none-manylinux_2_16_x86_64",
	"py30-none-manylinux_2_15_x86_64",
	"py30-none-manylinux_2_14_x86_64",
	"py30-none-manylinux_2_13_x86_64",
	"py30-none-manylinux_2_12_x86_64",
	"py30-none-manylinux2010_x86_64",
	"py30-none-manylinux_2_11_x86_64",
	"py30-none-manylinux_2_10_x86_64",
	"py30-none-manylinux_2_9_x86_64",
	"py30-none-manylinux_2_8_x86_64",
	"py30-none-manylinux_2_7_x86_64",
	"py30-none-manylinux_2_6_x86_64",
	"py30-none-manylinux_2_5_x86_64",
	"py30-none-manylinux1_x86_64",
	"py30-none-linux_x86_64",
	"py311-none-any",
	"py3-none-any",
	"py310-none-any",
	"py39-none-any",
	"py38-none-any",
	"py37-none-any",
	"py36-none-any",
	"py35-none-any",
	"py34-none-any",
	"py33-none-any",
	"py32-none-any",
	"py31-none-any",
	"py30-none-any",
};

/*
 * The same for CPython 3.8 on aarch64 with glibc 2.17, from packaging's
 * cpython_tags((3, 8)) + compatible_tags((3, 8)) with the platforms of
 * _manylinux.platform_tags("linux_aarch64", "aarch64") under glibc 2.17.
 */
static const char *const tags_cp38_aarch64_17[] = {
	"cp38-cp38-manylinux_2_17_aarch64",
	"cp38-cp38-manylinux2014_aarch64",
	"cp38-cp38-linux_aarch64",
	"cp38-abi3-manylinux_2_17_aarch64",
	"cp38-abi3-manylinux2014_aarch64",
	"cp38-abi3-linux_aarch64",
	"cp38-none-manylinux_2_17_aarch64",
	"cp38-none-manylinux2014_aarch64",
	"cp38-none-linux_aarch64",
	"cp37-abi3-manylinux_2_17_aarch64",
	"cp37-abi3-manylinux2014_aarch64",
	"cp37-abi3-linux_aarch64",
	"cp36-abi3-manylinux_2_17_aarch64",
	"cp36-abi3-manylinux2014_aarch64",
	"cp36-abi3-linux_aarch64",
	"cp35-abi3-manylinux_2_17_aarch64",
	"cp35-abi3-manylinux2014_aarch64",
	"cp35-abi3-linux_aarch64",
	"cp34-abi3-manylinux_2_17_aarch64",
	"cp34-abi3-manylinux2014_aarch64",
	"cp34-abi3-linux_aarch64",
	"cp33-abi3-manylinux_2_17_aarch64",
	"cp33-abi3-manylinux2014_aarch64",
	"cp33-abi3-linux_aarch64",
	"cp32-abi3-manylinux_2_17_aarch64",
	"cp32-abi3-manylinux2014_aarch64",
	"cp32-abi3-linux_aarch64",
	"py38-none-manylinux_2_17_aarch64",
	"py38-none-manylinux2014_aarch64",
	"py38-none-linux_aarch64",
	"py3-none-manylinux_2_17_aarch64",
	"py3-none-manylinux2014_aarch64",
	"py3-none-linux_aarch64",
	"py37-none-manylinux_2_17_aarch64",
	"py37-none-manylinux2014_aarch64",
	"py37-none-linux_aarch64",
	"py36-none-manylinux_2_17_aarch64",
	"py36-none-manylinux2014_aarch64",
	"py36-none-linux_aarch64",
	"py35-none-manylinux_2_17_aarch64",
	"py35-none-manylinux2014_aarch64",
	"py35-none-linux_aarch64",
	"py34-none-manylinux_2_17_aarch64",
	"py34-none-manylinux2014_aarch64",
	"py34-none-linux_aarch64",
	"py33-none-manylinux_2_17_aarch64",
	"py33-none-manylinux2014_aarch64",
	"py33-none-linux_aarch64",
	"py32-none-manylinux_2_17_aarch64",
	"py32-none-manylinux2014_aarch64",
	"py32-none-linux_aarch64",
	"py31-none-manylinux_2_17_aarch64",
	"py31-none-manylinux2014_aarch64",
	"py31-none-linux_aarch64",
	"py30-none-manylinux_2_17_aarch64",
	"py30-none-manylinux2014_aarch64",
	"py30-none-linux_aarch64",
	"py38-none-any",
	"py3-none-any",
	"py37-none-any",
	"py36-none-any",
	"py35-none-any",
	"py34-none-any",
	"py33-none-any",
	"py32-none-any",
	"py31-none-any",
	"py30-none-any",
};

static void check_list(struct pytags *t, const char *const *want, size_t n)
{
	size_t i;

	assert_non_null(t);
	assert_int_equal(pytags_count(t), n);
	for (i = 0; i < n; i++)
		assert_string_equal(pytags_get(t, i), want[i]);
	assert_null(pytags_get(t, n));
}

static void test_tags_host(void **state)
{
	struct pytags *t = pytags_new(3, 11, "x86_64", 36);

	(void)state;
	check_list(t, tags_cp311_x86_64_36, N(tags_cp311_x86_64_36));
	pytags_free(t);
}

static void test_tags_aarch64(void **state)
{
	struct pytags *t = pytags_new(3, 8, "aarch64", 17);

	(void)state;
	check_list(t, tags_cp38_aarch64_17, N(tags_cp38_aarch64_17));
	pytags_free(t);

	/* Below 2.17 aarch64 has no manylinux tag at all. */
	t = pytags_new(3, 8, "aarch64", 16);
	assert_int_equal(pytags_count(t), 3 + 6 + 10 + 10);
	assert_string_equal(pytags_get(t, 0), "cp38-cp38-linux_aarch64");
	pytags_free(t);
}

/* CPython 3.7 (pymalloc ABI "cp37m") with glibc 2.12: positions checked
 * against packaging 21.3 (196 tags). */
static void test_tags_cp37(void **state)
{
	struct pytags *t = pytags_new(3, 7, "x86_64", 12);

	(void)state;
	assert_int_equal(pytags_count(t), 196);
	assert_string_equal(pytags_get(t, 0), "cp37-cp37m-manylinux_2_12_x86_64");
	assert_string_equal(pytags_get(t, 1), "cp37-cp37m-manylinux2010_x86_64");
	assert_string_equal(pytags_get(t, 9), "cp37-cp37m-manylinux1_x86_64");
	assert_string_equal(pytags_get(t, 10), "cp37-cp37m-linux_x86_64");
	assert_string_equal(pytags_get(t, 33), "cp36-abi3-manylinux_2_12_x86_64");
	assert_string_equal(pytags_get(t, 87), "cp32-abi3-linux_x86_64");
	assert_string_equal(pytags_get(t, 88), "py37-none-manylinux_2_12_x86_64");
	assert_string_equal(pytags_get(t, 108), "py3-none-manylinux1_x86_64");
	assert_string_equal(pytags_get(t, 187), "py37-none-any");
	assert_string_equal(pytags_get(t, 195), "py30-none-any");
	pytags_free(t);
}

/* glibc_minor 0: a target without glibc gets linux_<machine> only. */
static void test_tags_no_glibc(void **state)
{
	struct pytags *t = pytags_new(3, 11, "x86_64", 0);

	(void)state;
	/* cp311 x3, cp310..cp32 abi3, py311 py3 py310..py30, then any. */
	assert_int_equal(pytags_count(t), 3 + 9 + 13 + 13);
	assert_string_equal(pytags_get(t, 0), "cp311-cp311-linux_x86_64");
	assert_string_equal(pytags_get(t, 1), "cp311-abi3-linux_x86_64");
	assert_string_equal(pytags_get(t, 2), "cp311-none-linux_x86_64");
	assert_string_equal(pytags_get(t, 3), "cp310-abi3-linux_x86_64");
	assert_string_equal(pytags_get(t, 11), "cp32-abi3-linux_x86_64");
	assert_string_equal(pytags_get(t, 12), "py311-none-linux_x86_64");
	assert_string_equal(pytags_get(t, 13), "py3-none-linux_x86_64");
	assert_string_equal(pytags_get(t, 24), "py30-none-linux_x86_64");
	assert_string_equal(pytags_get(t, 25), "py311-none-any");
	assert_string_equal(pytags_get(t, 37), "py30-none-any");
	pytags_free(t);
}

/* ---- file names ---- */

static void check_parse(const char *f, const char *dist, const char *name,
			const char *version, const char *build,
			uint64_t build_num, const char *py, const char *abi,
			const char *plat)
{
	struct wheelname w;
	char msg[256] = "x", got[3][256];
	char **v[3];
	size_t nv[3], i, k;

	if (wheelname_parse(f, &w, msg, sizeof(msg)) != 0)
		fail_msg("'%s' refused: %s", f, msg);
	assert_string_equal(w.dist, dist);
	assert_string_equal(w.name, name);
	assert_string_equal(w.version, version);
	if (build == NULL)
		assert_null(w.build);
	else
		assert_string_equal(w.build, build);
	assert_true(w.build_num == build_num);
	v[0] = w.py, v[1] = w.abi, v[2] = w.plat;
	nv[0] = w.npy, nv[1] = w.nabi, nv[2] = w.nplat;
	/* Join each set back with '.' to compare it as one string. */
	for (k = 0; k < 3; k++) {
		got[k][0] = '\0';
		for (i = 0; i < nv[k]; i++) {
			if (i)
				strcat(got[k], ".");
			strcat(got[k], v[k][i]);
		}
	}
	assert_string_equal(got[0], py);
	assert_string_equal(got[1], abi);
	assert_string_equal(got[2], plat);
	wheelname_release(&w);
	assert_null(w.dist);
	assert_int_equal(w.npy, 0);
}

static void check_bad(const char *f, const char *want)
{
	struct wheelname w;
	char msg[256] = "";

	assert_int_equal(wheelname_parse(f, &w, msg, sizeof(msg)), -1);
	assert_string_equal(msg, want);
	assert_null(w.dist);
	assert_null(w.py);
	assert_int_equal(w.nplat, 0);
	wheelname_release(&w);
}

static void test_parse_fixtures(void **state)
{
	(void)state;
	check_parse("PyFunctional-1.4.3-py3-none-any.whl", "PyFunctional",
		    "pyfunctional", "1.4.3", NULL, 0, "py3", "none", "any");
	check_parse("complex_dist-0.1-py2.py3-none-any.whl", "complex_dist",
		    "complex-dist", "0.1", NULL, 0, "py2.py3", "none", "any");
	check_parse("simplewheel-2.0-1-py2.py3-none-any.whl", "simplewheel",
		    "simplewheel", "2.0", "1", 1, "py2.py3", "none", "any");
	check_parse("simplewheel-2.0-py3-fakeabi-fakeplat.whl", "simplewheel",
		    "simplewheel", "2.0", NULL, 0, "py3", "fakeabi", "fakeplat");
	check_parse("license.dist-0.1-py2.py3-none-any.whl", "license.dist",
		    "license-dist", "0.1", NULL, 0, "py2.py3", "none", "any");
	check_parse("pkg_prerelease-1.0a1-py3-none-any.whl", "pkg_prerelease",
		    "pkg-prerelease", "1.0a1", NULL, 0, "py3", "none", "any");
	check_parse("demo-0.0.1-cp36-cp36m-win_amd64.whl", "demo", "demo",
		    "0.0.1", NULL, 0, "cp36", "cp36m", "win_amd64");
	check_parse("simple.dist-0.1-py1-none-invalid.whl", "simple.dist",
		    "simple-dist", "0.1", NULL, 0, "py1", "none", "invalid");
	check_parse("widgetsnbextension-3.6.999-py3-none-any.whl",
		    "widgetsnbextension", "widgetsnbextension", "3.6.999", NULL,
		    0, "py3", "none", "any");
	check_bad("invalid_version-2010i-py3-none-any.whl",
		  "invalid version '2010i' in wheel name 'invalid_version-2010i-py3-none-any.whl'");
}

static void test_parse_made_up(void **state)
{
	(void)state;
	check_parse("foo-1.0-1b-py2.py3-none-any.whl", "foo", "foo", "1.0",
		    "1b", 1, "py2.py3", "none", "any");
	check_parse("foo-1.0-20240101.1-py3-none-any.whl", "foo", "foo", "1.0",
		    "20240101.1", 20240101, "py3", "none", "any");
	check_parse("foo-1.0-18446744073709551615-py3-none-any.whl", "foo",
		    "foo", "1.0", "18446744073709551615", UINT64_MAX, "py3",
		    "none", "any");
	check_parse("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
		    "numpy", "numpy", "1.26.4", NULL, 0, "cp311", "cp311",
		    "manylinux_2_17_x86_64.manylinux2014_x86_64");
	check_parse("Zope.Interface-5.0+local.1-py3-none-any.whl",
		    "Zope.Interface", "zope-interface", "5.0+local.1", NULL, 0,
		    "py3", "none", "any");
}

static void test_parse_errors(void **state)
{
	(void)state;
	check_bad("foo-1.0.whl",
		  "'foo-1.0.whl' is not a wheel name: it needs NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl");
	check_bad("foo-1.0-1-2-py3-none-any.whl",
		  "'foo-1.0-1-2-py3-none-any.whl' is not a wheel name: it needs NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl");
	check_bad("foo-1.0.tar.gz",
		  "'foo-1.0.tar.gz' is not a wheel name: it does not end in .whl");
	check_bad(".whl", "'.whl' is not a wheel name: it needs NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl");
	check_bad("foo-1.0-py3-none-any.WHL",
		  "'foo-1.0-py3-none-any.WHL' is not a wheel name: it does not end in .whl");
	check_bad("foo-1.0-b1-py3-none-any.whl",
		  "invalid build tag 'b1' in wheel name 'foo-1.0-b1-py3-none-any.whl': it must start with a digit");
	check_bad("foo-1.0--py3-none-any.whl",
		  "invalid build tag '' in wheel name 'foo-1.0--py3-none-any.whl': it must start with a digit");
	check_bad("foo-1.0-18446744073709551616-py3-none-any.whl",
		  "build tag '18446744073709551616' in wheel name 'foo-1.0-18446744073709551616-py3-none-any.whl' is too large");
	check_bad("foo-1.0-1+x-py3-none-any.whl",
		  "invalid build tag '1+x' in wheel name 'foo-1.0-1+x-py3-none-any.whl'");
	check_bad("fo o-1.0-py3-none-any.whl",
		  "invalid name 'fo o' in wheel name 'fo o-1.0-py3-none-any.whl'");
	check_bad("_foo-1.0-py3-none-any.whl",
		  "invalid name '_foo' in wheel name '_foo-1.0-py3-none-any.whl'");
	check_bad("foo__bar-1.0-py3-none-any.whl",
		  "invalid name 'foo__bar' in wheel name 'foo__bar-1.0-py3-none-any.whl'");
	check_bad("-1.0-py3-none-any.whl",
		  "invalid name '' in wheel name '-1.0-py3-none-any.whl'");
	check_bad("foo--py3-none-any.whl",
		  "invalid version '' in wheel name 'foo--py3-none-any.whl'");
	check_bad("foo-1.0-py2..py3-none-any.whl",
		  "empty python tag in 'py2..py3' in wheel name 'foo-1.0-py2..py3-none-any.whl'");
	check_bad("foo-1.0-py3--any.whl",
		  "empty abi tag in '' in wheel name 'foo-1.0-py3--any.whl'");
	check_bad("foo-1.0-py3-none-any..whl",
		  "empty platform tag in 'any.' in wheel name 'foo-1.0-py3-none-any..whl'");
	check_bad("foo-1.0-py3-none-a/b.whl",
		  "invalid platform tag 'a/b' in wheel name 'foo-1.0-py3-none-a/b.whl'");
}

/*
 * Found by fuzzing: a link on a simple page may name a file of any length,
 * and with thousands of tags in each set pytags_rank() tried every
 * combination (minutes for 8 KB).  No file name is longer than 255 bytes.
 */
static void add_set(char *f, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		strcat(f, i ? ".a" : "a");
}

static void test_parse_too_long(void **state)
{
	char f[300], want[256];
	struct wheelname w;

	(void)state;
	/* "x-1-a.a....a-a.a....a-a.a....a.whl": 42, 41 and 41 tags. */
	strcpy(f, "x-1-");
	add_set(f, 42);
	strcat(f, "-");
	add_set(f, 41);
	strcat(f, "-");
	add_set(f, 41);
	strcat(f, ".whl");
	assert_int_equal(strlen(f), 255);
	assert_int_equal(wheelname_parse(f, &w, NULL, 0), 0);
	assert_int_equal(w.npy, 42);
	assert_int_equal(w.nabi, 41);
	assert_int_equal(w.nplat, 41);
	wheelname_release(&w);

	strcpy(f + 251, "a.whl");
	snprintf(want, sizeof(want), "'%.48s...' is not a wheel name: it is 256 bytes long, "
		 "and a file name has at most 255", f);
	check_bad(f, want);
}

static void test_pep503(void **state)
{
	static const char *const cases[][2] = {
		{ "Zope.Interface", "zope-interface" },
		{ "foo__bar--baz", "foo-bar-baz" },
		{ "A-_.-B", "a-b" },
		{ "", "" },
		{ "-x-", "-x-" },
		{ "ÄB", "Äb" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		char *s = pep503_name(cases[i][0], strlen(cases[i][0]));

		assert_string_equal(s, cases[i][1]);
		free(s);
	}
	/* Only n bytes are read. */
	{
		char *s = pep503_name("Foo.Bar", 3);

		assert_string_equal(s, "foo");
		free(s);
	}
}

/* ---- ranking: indexes checked with pip 23's Wheel.support_index_min ---- */

static void check_rank(const struct pytags *t, const char *f, long want,
		       unsigned want_glibc)
{
	struct wheelname w;
	char msg[256];
	unsigned g = 999;

	if (wheelname_parse(f, &w, msg, sizeof(msg)) != 0)
		fail_msg("'%s' refused: %s", f, msg);
	assert_int_equal(pytags_rank(t, &w, &g), want);
	assert_int_equal(g, want_glibc);
	wheelname_release(&w);
}

static void test_rank(void **state)
{
	struct pytags *t = pytags_new(3, 11, "x86_64", 36);

	(void)state;
	check_rank(t, "celery-4.4.2-py2.py3-none-any.whl", 901, 0);
	check_rank(t, "PyFunctional-1.4.3-py3-none-any.whl", 901, 0);
	check_rank(t, "simplewheel-2.0-1-py2.py3-none-any.whl", 901, 0);
	check_rank(t, "simplewheel-2.0-py3-fakeabi-fakeplat.whl", -1, 0);
	check_rank(t, "simple.dist-0.1-py1-none-invalid.whl", -1, 0);
	check_rank(t, "demo-0.0.1-cp36-cp36m-win_amd64.whl", -1, 0);
	check_rank(t, "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
		   19, 17);
	check_rank(t, "cryptography-41.0.0-cp37-abi3-manylinux_2_28_x86_64.whl",
		   224, 28);
	check_rank(t, "x-1.0-cp311-cp311-manylinux_2_38_x86_64.whl", -1, 0);
	check_rank(t, "x-1.0-cp311-cp311-manylinux_2_36_x86_64.whl", 0, 36);
	check_rank(t, "x-1.0-cp311-cp311-manylinux1_x86_64.whl", 34, 5);
	check_rank(t, "x-1.0-cp311-cp311-manylinux2010_x86_64.whl", 26, 12);
	check_rank(t, "x-1.0-CP311-CP311-Manylinux2014_X86_64.whl", 20, 17);
	check_rank(t, "x-1.0-cp311-cp311-linux_x86_64.whl", 35, 0);
	check_rank(t, "x-1.0-cp311-abi3-manylinux_2_5_x86_64.whl", 69, 5);
	check_rank(t, "x-1.0-cp32-abi3-linux_x86_64.whl", 431, 0);
	check_rank(t, "x-1.0-py3-none-manylinux_2_17_x86_64.whl", 487, 17);
	check_rank(t, "x-1.0-py30-none-any.whl", 912, 0);
	check_rank(t, "x-1.0-cp311-cp311-manylinux_2_17_aarch64.whl", -1, 0);
	/* Not in packaging 21.3's list (later versions add it). */
	check_rank(t, "x-1.0-cp311-none-any.whl", -1, 0);
	/* The best of every combination wins, whatever the order written. */
	check_rank(t, "x-1.0-py2.cp311.py3-none.abi3.cp311-any.linux_x86_64.manylinux_2_30_x86_64.whl",
		   6, 30);
	/*
	 * A combination longer than any tag cannot match.  (Since names
	 * are at most 255 bytes, no combination is too long to look up.)
	 */
	check_rank(t, "x-1.0-py3-none-any.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.whl",
		   901, 0);
	pytags_free(t);

	/* Every tag of the list ranks at its own index. */
	t = pytags_new(3, 11, "x86_64", 36);
	{
		size_t i;
		char f[256];
		struct wheelname w;
		unsigned g;

		for (i = 0; i < pytags_count(t); i++) {
			snprintf(f, sizeof(f), "x-1-%s.whl", pytags_get(t, i));
			assert_int_equal(wheelname_parse(f, &w, NULL, 0), 0);
			assert_int_equal(pytags_rank(t, &w, &g), (long)i);
			wheelname_release(&w);
		}
	}
	pytags_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags_host),
		cmocka_unit_test(test_tags_aarch64),
		cmocka_unit_test(test_tags_cp37),
		cmocka_unit_test(test_tags_no_glibc),
		cmocka_unit_test(test_parse_fixtures),
		cmocka_unit_test(test_parse_made_up),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test(test_pep503),
		cmocka_unit_test(test_rank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
