#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <stdexcept>

#include "arrays.hpp"
#include "skincore/maps.hpp"

namespace py = pybind11;
using namespace skincore;

void bind_maps(py::module_& m) {
    m.attr("MAX_RATIO") = kMaxEnhanceRatio;
    m.def(
        "enhanced_bw",
        [](py::array image, py::array out, double left, double top, double width, double height,
           double ratio, double sigma, double gain, double eps, int threads) {
            auto o = py_arrays::mut_view<std::uint8_t>(out, "out");
            EnhancedBWParams p{left, top, width, height, ratio, sigma, gain, eps};
            const bool is_float = image.dtype().equal(py::dtype::of<float>());
            ConstView<std::uint8_t> u8;
            ConstView<float> f32;
            if (is_float) {
                f32 = py_arrays::const_view<float>(image, "image");
            } else {
                u8 = py_arrays::const_view<std::uint8_t>(image, "image",
                                                         image.ndim() == 3 ? 3 : 1);
            }
            const std::int64_t iw = is_float ? f32.width : u8.width;
            const std::int64_t ih = is_float ? f32.height : u8.height;
            try {
                validate_enhanced_bw(p, iw, ih);
            } catch (const std::invalid_argument& e) {
                throw py::value_error(e.what());
            }
            const double ow = std::floor(width * ratio + 0.5), oh = std::floor(height * ratio + 0.5);
            if (static_cast<double>(o.width) != std::max(1.0, ow) ||
                static_cast<double>(o.height) != std::max(1.0, oh))
                throw py::value_error("out: shape must be (max(1, round(height * ratio)), "
                                      "max(1, round(width * ratio)))");
            py::gil_scoped_release release;
            try {
                if (is_float)
                    enhanced_bw(f32, p, o, threads);
                else
                    enhanced_bw(u8, p, o, threads);
            } catch (const std::invalid_argument& e) {
                py::gil_scoped_acquire acquire;
                throw py::value_error(e.what());
            }
        },
        py::arg("image"), py::arg("out"), py::arg("left"), py::arg("top"), py::arg("width"),
        py::arg("height"), py::arg("ratio"), py::arg("sigma"), py::arg("gain"), py::arg("eps"),
        py::arg("threads"));
}
