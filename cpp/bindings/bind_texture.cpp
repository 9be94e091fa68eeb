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

namespace {

// The checks shared by the energy-threshold kernels: a mask and a uint8 output of
// the energy's shape (the output's rows apart), a finite threshold > 0, threads >= 0.
void check_threshold_map(const ConstView<float>& e, const ConstView<std::uint8_t>& mask, const char* mask_name,
                         const MutView<std::uint8_t>& out, const char* out_name, double threshold, int threads) {
    if (threads < 0) throw py::value_error("threads: must be >= 0 (0 = all hardware threads)");
    check_same_hw(e, "energy", mask, mask_name);
    check_same_hw(e, "energy", out, out_name);
    if (out.height > 1 && out.row_stride < out.width)
        throw py::value_error(std::string(out_name) + ": rows overlap");
    if (!std::isfinite(threshold) || !(threshold > 0.0)) throw py::value_error("threshold: must be finite and > 0");
}

}  // namespace

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
            auto e = const_view<float>(energy, "energy");
            auto s = const_view<std::uint8_t>(skin, "skin");
            auto o = mut_view<std::uint8_t>(over, "over");
            check_threshold_map(e, s, "skin", o, "over", threshold, threads);
            texture::ExcessStats st;
            {
                py::gil_scoped_release nogil;
                st = texture::excess_over(e, s, threshold, o, threads);
            }
            return py::make_tuple(st.n_skin, st.n_over, st.excess);
        },
        py::arg("energy"), py::arg("skin"), py::arg("threshold"), py::arg("over"), py::arg("threads"),
        "over = 255 where skin and energy > threshold; returns (n_skin, n_over, mean clipped excess).");

    m.def(
        "excess_levels",
        [](const py::array& energy, const py::array& keep, const py::object& veto, double threshold, py::array& level,
           int threads) {
            auto e = const_view<float>(energy, "energy");
            auto k = const_view<std::uint8_t>(keep, "keep");
            auto o = mut_view<std::uint8_t>(level, "level");
            check_threshold_map(e, k, "keep", o, "level", threshold, threads);
            ConstView<std::uint8_t> v{};
            if (!veto.is_none()) {
                v = const_view<std::uint8_t>(veto.cast<py::array>(), "veto");
                if (v.empty() && !o.empty()) throw py::value_error("veto: empty");
            }
            std::int64_t n = 0;
            {
                py::gil_scoped_release nogil;
                n = texture::excess_levels(e, k, v, threshold, o, threads);
            }
            return n;
        },
        py::arg("energy"), py::arg("keep"), py::arg("veto"), py::arg("threshold"), py::arg("level"),
        py::arg("threads"),
        "level = rint(1 + 254 clip((e - t) / t, 0, 1)) where keep and not the veto's cell, else 0; "
        "returns the nonzero count.");
}
