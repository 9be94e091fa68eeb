// Python bindings of the chromophore kernel (_core.chromophore). Arguments are
// validated here (ValueError naming the argument); the GIL is released around
// the kernel.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "arrays.hpp"
#include "skincore/chromophore.hpp"

namespace py = pybind11;
using namespace skincore;
using namespace skincore::py_arrays;

namespace {

template <class T>
void check_rows_disjoint(const MutView<T>& v, const char* name) {
    if (v.height > 1 && v.row_stride < v.width * v.channels)
        throw py::value_error(std::string(name) + ": rows overlap (row stride too small)");
}

}  // namespace

void bind_chromophore(py::module_& m) {
    m.def(
        "chromophore_maps",
        [](const py::array& rgb, py::array& melanin, py::array& hemoglobin, int threads) {
            if (threads < 0) throw py::value_error("threads: must be >= 0 (0 = all hardware threads)");
            auto in = const_view<std::uint8_t>(rgb, "rgb", 3);
            auto om = mut_view<float>(melanin, "melanin", 1);
            auto oh = mut_view<float>(hemoglobin, "hemoglobin", 1);
            check_same_hw(in, "rgb", om, "melanin");
            check_same_hw(in, "rgb", oh, "hemoglobin");
            check_rows_disjoint(om, "melanin");
            check_rows_disjoint(oh, "hemoglobin");
            py::gil_scoped_release nogil;
            chromophore::chromophore_maps(in, om, oh, threads);
        },
        py::arg("rgb"), py::arg("melanin"), py::arg("hemoglobin"), py::arg("threads"),
        "sRGB uint8 (H, W, 3) -> melanin and haemoglobin float32 (H, W) into the outputs.");
    m.attr("MELANIN_VECTOR") = py::make_tuple(chromophore::kMelaninVector[0], chromophore::kMelaninVector[1],
                                              chromophore::kMelaninVector[2]);
    m.attr("HEMOGLOBIN_VECTOR") = py::make_tuple(
        chromophore::kHemoglobinVector[0], chromophore::kHemoglobinVector[1], chromophore::kHemoglobinVector[2]);
}
