// Python bindings of the local-texture kernel (_core.texture). Arguments are
// validated here (ValueError naming the argument); the GIL is released around
// the kernel.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <string>

#include "arrays.hpp"
#include "skincore/texture.hpp"

namespace py = pybind11;
using namespace skincore;
using namespace skincore::py_arrays;

void bind_texture(py::module_& m) {
    m.def(
        "energy",
        [](const py::array& gray, const py::array& face, py::array& out, double erode_sigma, double fine_sigma,
           double coarse_sigma, double window_sigma, float band_clip, float edge_isotropy, float min_weight,
           std::int64_t window_factor, int threads) {
            if (threads < 0) throw py::value_error("threads: must be >= 0 (0 = all hardware threads)");
            auto g = const_view<float>(gray, "gray");
            auto f = const_view<std::uint8_t>(face, "face");
            auto o = mut_view<float>(out, "out");
            check_same_hw(g, "gray", f, "face");
            check_same_hw(g, "gray", o, "out");
            if (o.height > 1 && o.row_stride < o.width) throw py::value_error("out: rows overlap");
            auto finite_pos = [](double v, const char* name, bool zero_ok) {
                if (!std::isfinite(v) || v < 0.0 || (!zero_ok && v == 0.0))
                    throw py::value_error(std::string(name) + (zero_ok ? ": must be finite and >= 0"
                                                                       : ": must be finite and > 0"));
            };
            finite_pos(erode_sigma, "erode_sigma", true);
            finite_pos(fine_sigma, "fine_sigma", false);
            finite_pos(coarse_sigma, "coarse_sigma", false);
            finite_pos(window_sigma, "window_sigma", false);
            finite_pos(band_clip, "band_clip", true);
            finite_pos(edge_isotropy, "edge_isotropy", true);
            finite_pos(min_weight, "min_weight", true);
            if (window_factor < 1) throw py::value_error("window_factor: must be >= 1");
            texture::EnergyParams p;
            p.erode_sigma = erode_sigma;
            p.fine_sigma = fine_sigma;
            p.coarse_sigma = coarse_sigma;
            p.window_sigma = window_sigma;
            p.band_clip = band_clip;
            p.edge_isotropy = edge_isotropy;
            p.min_weight = min_weight;
            p.window_factor = window_factor;
            py::gil_scoped_release nogil;
            return texture::energy(g, f, p, o, threads);
        },
        py::arg("gray"), py::arg("face"), py::arg("out"), py::arg("erode_sigma"), py::arg("fine_sigma"),
        py::arg("coarse_sigma"), py::arg("window_sigma"), py::arg("band_clip"), py::arg("edge_isotropy"),
        py::arg("min_weight"), py::arg("window_factor"), py::arg("threads"),
        "Band-pass texture energy of gray (H, W) float32 over face (H, W) uint8 into out; False if the "
        "eroded mask is empty. window_factor > 1: the window blurs on a grid that many times coarser.");
    m.def(
        "upsample_on",
        [](const py::array& src, const py::array& mask, py::array& out, int threads) {
            if (threads < 0) throw py::value_error("threads: must be >= 0 (0 = all hardware threads)");
            auto s = const_view<float>(src, "src");
            auto k = const_view<std::uint8_t>(mask, "mask");
            auto o = mut_view<float>(out, "out");
            check_same_hw(k, "mask", o, "out");
            if (o.height > 1 && o.row_stride < o.width) throw py::value_error("out: rows overlap");
            if (!o.empty() && s.empty()) throw py::value_error("src: empty input, non-empty output");
            py::gil_scoped_release nogil;
            texture::upsample_on(s, k, o, threads);
        },
        py::arg("src"), py::arg("mask"), py::arg("out"), py::arg("threads"),
        "Bilinear resize of src (h, w) float32 to out's shape where mask (H, W) uint8 is nonzero; 0 elsewhere.");
    m.def(
        "excess_over",
        [](const py::array& energy, const py::array& skin, double threshold, py::array& over, int threads) {
            if (threads < 0) throw py::value_error("threads: must be >= 0 (0 = all hardware threads)");
            auto e = const_view<float>(energy, "energy");
            auto s = const_view<std::uint8_t>(skin, "skin");
            auto o = mut_view<std::uint8_t>(over, "over");
            check_same_hw(e, "energy", s, "skin");
            check_same_hw(e, "energy", o, "over");
            if (o.height > 1 && o.row_stride < o.width) throw py::value_error("over: rows overlap");
            if (!std::isfinite(threshold) || !(threshold > 0.0))
                throw py::value_error("threshold: must be finite and > 0");
            texture::ExcessStats st;
            {
                py::gil_scoped_release nogil;
                st = texture::excess_over(e, s, threshold, o, threads);
            }
            return py::make_tuple(st.n_skin, st.n_over, st.excess);
        },
        py::arg("energy"), py::arg("skin"), py::arg("threshold"), py::arg("over"), py::arg("threads"),
        "over = 255 where skin and energy > threshold; returns (n_skin, n_over, mean clipped excess).");
}
