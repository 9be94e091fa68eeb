// Python bindings of the colour kernels (_core.color). Arguments are validated
// here (ValueError naming the argument); the GIL is released around each kernel.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <string>

#include "arrays.hpp"
#include "skincore/color.hpp"

namespace py = pybind11;
using namespace skincore;
using namespace skincore::py_arrays;

namespace {

void check_threads(int threads) {
    if (threads < 0) throw py::value_error("threads: must be >= 0 (0 = all hardware threads)");
}

// An output whose rows overlap would make the row stripes race.
template <class T>
void check_rows_disjoint(const MutView<T>& v, const char* name) {
    if (v.height > 1 && v.row_stride < v.width * v.channels)
        throw py::value_error(std::string(name) + ": rows overlap (row stride too small)");
}

}  // namespace

void bind_color(py::module_& m) {
    m.def(
        "rgb_to_lab",
        [](const py::array& rgb, py::array& out, int threads) {
            check_threads(threads);
            auto in = const_view<std::uint8_t>(rgb, "rgb", 3);
            auto o = mut_view<float>(out, "out", 3);
            check_same_hw(in, "rgb", o, "out");
            check_rows_disjoint(o, "out");
            py::gil_scoped_release nogil;
            color::rgb_to_lab(in, o, threads);
        },
        py::arg("rgb"), py::arg("out"), py::arg("threads"),
        "sRGB uint8 (H, W, 3) -> CIELAB float32 (H, W, 3) into out.");
    m.def(
        "rgb_to_lightness",
        [](const py::array& rgb, py::array& out, double divisor, int threads) {
            check_threads(threads);
            if (!(divisor > 0.0) || !std::isfinite(divisor) ||
                !std::isfinite(static_cast<float>(divisor)))
                throw py::value_error("divisor: must be finite and > 0 in float32");
            auto in = const_view<std::uint8_t>(rgb, "rgb", 3);
            auto o = mut_view<float>(out, "out", 1);
            check_same_hw(in, "rgb", o, "out");
            check_rows_disjoint(o, "out");
            py::gil_scoped_release nogil;
            color::rgb_to_lightness(in, o, static_cast<float>(divisor), threads);
        },
        py::arg("rgb"), py::arg("out"), py::arg("divisor"), py::arg("threads"),
        "sRGB uint8 (H, W, 3) -> float32 L* / divisor (H, W) into out.");
    m.def(
        "ita_map",
        [](const py::array& lab, py::array& out, int threads) {
            check_threads(threads);
            auto in = const_view<float>(lab, "lab", 3);
            auto o = mut_view<float>(out, "out", 1);
            check_same_hw(in, "lab", o, "out");
            check_rows_disjoint(o, "out");
            py::gil_scoped_release nogil;
            color::ita_map(in, o, threads);
        },
        py::arg("lab"), py::arg("out"), py::arg("threads"),
        "Per-pixel ITA in degrees, float32 (H, W), into out.");
    m.def(
        "lightness_chroma",
        [](const py::array& lab, py::array& light, py::array& chroma, int threads) {
            check_threads(threads);
            auto in = const_view<float>(lab, "lab", 3);
            auto l = mut_view<float>(light, "light", 1);
            auto c = mut_view<float>(chroma, "chroma", 1);
            check_same_hw(in, "lab", l, "light");
            check_same_hw(in, "lab", c, "chroma");
            check_rows_disjoint(l, "light");
            check_rows_disjoint(c, "chroma");
            py::gil_scoped_release nogil;
            color::lightness_chroma(in, l, c, threads);
        },
        py::arg("lab"), py::arg("light"), py::arg("chroma"), py::arg("threads"),
        "L* and C*ab = hypot(a*, b*) (float32 (H, W) each) into light and chroma.");
    m.def(
        "apply_channel_luts",
        [](const py::array& rgb, const py::array& luts, py::array& out, int threads) {
            check_threads(threads);
            auto in = const_view<std::uint8_t>(rgb, "rgb", 3);
            auto lv = const_view<std::uint8_t>(luts, "luts", 1);
            if (lv.width != 256 || lv.height != 3 || lv.row_stride != 256)
                throw py::value_error("luts: expected a C-contiguous (3, 256) uint8 array");
            auto o = mut_view<std::uint8_t>(out, "out", 3);
            check_same_hw(in, "rgb", o, "out");
            check_rows_disjoint(o, "out");
            py::gil_scoped_release nogil;
            color::apply_channel_luts(in, lv.data, o, threads);
        },
        py::arg("rgb"), py::arg("luts"), py::arg("out"), py::arg("threads"),
        "out[..., c] = luts[c][rgb[..., c]] for uint8 (H, W, 3) images (out may be rgb).");
    m.def(
        "masked_channel_luts",
        [](const py::array& rgb, const py::array& mask, const py::array& luts, py::array& out,
           int threads) {
            check_threads(threads);
            auto in = const_view<std::uint8_t>(rgb, "rgb", 3);
            auto mk = const_view<std::uint8_t>(mask, "mask", 1);
            check_same_hw(in, "rgb", mk, "mask");
            auto lv = const_view<std::uint8_t>(luts, "luts", 1);
            if (lv.width != 256 || lv.height != 3 || lv.row_stride != 256)
                throw py::value_error("luts: expected a C-contiguous (3, 256) uint8 array");
            auto o = mut_view<std::uint8_t>(out, "out", 3);
            if (o.height != 1) throw py::value_error("out: expected a (1, N, 3) uint8 array");
            py::gil_scoped_release nogil;
            color::masked_channel_luts(in, mk, lv.data, o, threads);
        },
        py::arg("rgb"), py::arg("mask"), py::arg("luts"), py::arg("out"), py::arg("threads"),
        "out[0, i] = luts[c][rgb[y, x, c]] of the i-th pixel with mask != 0 (row-major).");
    m.def(
        "lab_stats",
        [](const py::array& lab, const py::array& mask, double k, int threads) {
            check_threads(threads);
            if (!(k > 0.0)) throw py::value_error("k: must be > 0 (inf disables the exclusion)");
            auto in = const_view<float>(lab, "lab", 3);
            auto mk = const_view<std::uint8_t>(mask, "mask", 1);
            check_same_hw(in, "lab", mk, "mask");
            if (in.width > 0 && in.height > (std::int64_t{1} << 31) / in.width)
                throw py::value_error("lab: more than 2**31 pixels");
            color::LabStats st;
            {
                py::gil_scoped_release nogil;
                st = color::lab_stats(in, mk, k, threads);
            }
            py::dict d;
            d["n_mask"] = st.n_mask;
            d["n_invalid"] = st.n_invalid;
            d["n_shadow"] = st.n_shadow;
            d["n_highlight"] = st.n_highlight;
            d["n_used"] = st.n_used;
            d["L_median_all"] = st.L_median_all;
            d["L_mad_all"] = st.L_mad_all;
            d["L_low"] = st.L_low;
            d["L_high"] = st.L_high;
            d["mean"] = py::make_tuple(st.mean[0], st.mean[1], st.mean[2]);
            d["median"] = py::make_tuple(st.median[0], st.median[1], st.median[2]);
            d["std"] = py::make_tuple(st.std[0], st.std[1], st.std[2]);
            return d;
        },
        py::arg("lab"), py::arg("mask"), py::arg("k"), py::arg("threads"),
        "Robust masked Lab statistics (see skincore.color.lab_stats).");
    py::list rows;
    for (const auto& r : color::kSrgbToXyz) rows.append(py::make_tuple(r[0], r[1], r[2]));
    m.attr("SRGB_TO_XYZ") = py::tuple(rows);
    m.attr("HIST_BIN_WIDTH") = color::kBinWidth;
    m.def("rgb_to_lab_uses_avx2", [] { return color::rgb_to_lab_uses_avx2(); },
          "Whether rgb_to_lab runs its AVX2+FMA instance on this CPU.");
}
