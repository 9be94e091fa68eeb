#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>

#include "arrays.hpp"
#include "skincore/geometry.hpp"

namespace py = pybind11;
using namespace skincore;

void bind_geometry(py::module_& m) {
    m.def(
        "gaussian_blur",
        [](py::array src, py::array dst, double sigma, double truncate, int threads) {
            auto s = py_arrays::const_view<float>(src, "src");
            auto d = py_arrays::mut_view<float>(dst, "dst");
            py_arrays::check_same_hw(s, "src", d, "dst");
            if (!(sigma > 0.0)) throw py::value_error("sigma: must be > 0");
            if (!(truncate > 0.0)) throw py::value_error("truncate: must be > 0");
            py::gil_scoped_release release;
            try {
                gaussian_blur(s, d, sigma, truncate, threads);
            } catch (const std::invalid_argument& e) {
                py::gil_scoped_acquire acquire;
                throw py::value_error(e.what());
            }
        },
        py::arg("src"), py::arg("dst"), py::arg("sigma"), py::arg("truncate") = 4.0,
        py::arg("threads") = 0);
}
