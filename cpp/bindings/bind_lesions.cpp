// Python bindings of the lesion candidate kernels (_core.lesions). Arguments are
// validated here (ValueError naming the argument); the GIL is released around
// each kernel.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "skincore/geometry.hpp"
#include "skincore/lesions.hpp"

namespace py = pybind11;
using namespace skincore;
using namespace skincore::py_arrays;

namespace {

void check_threads(int threads) {
    if (threads < 0) throw py::value_error("threads: must be >= 0 (0 = all hardware threads)");
}

template <class T>
void check_rows_disjoint(const MutView<T>& v, const char* name) {
    if (v.height > 1 && v.row_stride < v.width * v.channels)
        throw py::value_error(std::string(name) + ": rows overlap (row stride too small)");
}

// (H, W, C) float32 with any C >= 1 (arrays.hpp treats C == 1 as 2-D only).
ConstView<float> channels_view(const py::array& a, const char* name) {
    check_dtype<float>(a, name);
    if (a.ndim() != 3) throw py::value_error(std::string(name) + ": expected shape (H, W, C)");
    const py::ssize_t c = a.shape(2), item = static_cast<py::ssize_t>(sizeof(float));
    if (c < 1 || c > 64) throw py::value_error(std::string(name) + ": need 1 to 64 channels");
    if (a.size() > 0 && c > 1 && a.strides(2) != item)
        throw py::value_error(std::string(name) + ": channels must be contiguous");
    if (a.size() > 0 && a.shape(1) > 1 && a.strides(1) != item * c)
        throw py::value_error(std::string(name) + ": pixels within a row must be contiguous");
    if (a.size() > 0 && a.shape(0) > 1 && (a.strides(0) < 0 || a.strides(0) % item != 0))
        throw py::value_error(std::string(name) + ": unsupported row stride");
    ConstView<float> v;
    v.data = static_cast<const float*>(a.data());
    v.height = a.shape(0);
    v.width = a.shape(1);
    v.channels = c;
    v.row_stride = a.shape(0) > 1 ? a.strides(0) / item : v.width * c;
    return v;
}

// (H, W) float32 with any positive pixel step (one channel of an interleaved
// image read in place): the view's `channels` holds that step, in elements.
ConstView<float> plane_view(const py::array& a, const std::string& name) {
    check_dtype<float>(a, name.c_str());
    if (a.ndim() != 2) throw py::value_error(name + ": expected shape (H, W)");
    const py::ssize_t item = static_cast<py::ssize_t>(sizeof(float));
    ConstView<float> v;
    v.data = static_cast<const float*>(a.data());
    v.height = a.shape(0);
    v.width = a.shape(1);
    v.channels = 1;
    v.row_stride = v.width;
    if (a.size() == 0) return v;
    if (a.shape(1) > 1) {
        if (a.strides(1) <= 0 || a.strides(1) % item != 0)
            throw py::value_error(name + ": unsupported pixel stride");
        v.channels = a.strides(1) / item;
    }
    if (a.shape(0) > 1) {
        if (a.strides(0) < 0 || a.strides(0) % item != 0)
            throw py::value_error(name + ": unsupported row stride");
        v.row_stride = a.strides(0) / item;
    } else {
        v.row_stride = v.width * v.channels;
    }
    return v;
}

// The ring arguments of region_features, checked (the errors name them).
lesions::RingParams ring_params(std::int32_t n_labels, double gap, double width_factor, double min_width,
                                double core_fraction) {
    if (n_labels < 0) throw py::value_error("n_labels: must be >= 0");
    if (!(gap >= 0.0) || !std::isfinite(gap)) throw py::value_error("ring_gap: must be finite and >= 0");
    if (!(width_factor >= 0.0) || !std::isfinite(width_factor))
        throw py::value_error("ring_width_factor: must be finite and >= 0");
    if (!(min_width > 0.0) || !std::isfinite(min_width))
        throw py::value_error("ring_min_width: must be finite and > 0");
    if (!(core_fraction > 0.0) || !std::isfinite(core_fraction))
        throw py::value_error("core_fraction: must be finite and > 0");
    return lesions::RingParams{gap, width_factor, min_width, core_fraction};
}

}  // namespace

void bind_lesions(py::module_& m) {
    m.def(
        "local_contrast",
        [](const py::array& src, const py::array& mask, const std::vector<double>& sigmas, double ratio,
           double truncate, py::array& out, py::array& scale, int threads) {
            check_threads(threads);
            if (sigmas.empty() || static_cast<int>(sigmas.size()) > lesions::kMaxScales)
                throw py::value_error("sigmas: need 1 to " + std::to_string(lesions::kMaxScales) + " values");
            for (double s : sigmas)
                if (!(s > 0.0) || !std::isfinite(s)) throw py::value_error("sigmas: must be finite and > 0");
            if (!(ratio > 1.0) || !std::isfinite(ratio)) throw py::value_error("surround_ratio: must be > 1");
            if (!(truncate > 0.0) || !std::isfinite(truncate)) throw py::value_error("truncate: must be > 0");
            auto s = const_view<float>(src, "src", 1);
            auto mk = const_view<std::uint8_t>(mask, "mask", 1);
            auto o = mut_view<float>(out, "out", 1);
            auto k = mut_view<std::uint8_t>(scale, "scale", 1);
            check_same_hw(s, "src", mk, "mask");
            check_same_hw(s, "src", o, "out");
            check_same_hw(s, "src", k, "scale");
            check_rows_disjoint(o, "out");
            check_rows_disjoint(k, "scale");
            py::gil_scoped_release nogil;
            lesions::local_contrast(s, mk, sigmas.data(), static_cast<int>(sigmas.size()), ratio, truncate, o, k,
                                    threads);
        },
        py::arg("src"), py::arg("mask"), py::arg("sigmas"), py::arg("surround_ratio"), py::arg("truncate"),
        py::arg("out"), py::arg("scale"), py::arg("threads"),
        "Masked multi-scale centre-surround contrast into out (float32) and scale (uint8).");
    m.def(
        "local_contrast_maps",
        [](const std::vector<py::array>& srcs, const py::array& mask, const std::vector<double>& sigmas,
           double ratio, double truncate, std::vector<py::array>& outs, std::vector<py::array>& scales,
           int threads) {
            check_threads(threads);
            if (sigmas.empty() || static_cast<int>(sigmas.size()) > lesions::kMaxScales)
                throw py::value_error("sigmas: need 1 to " + std::to_string(lesions::kMaxScales) + " values");
            for (double s : sigmas)
                if (!(s > 0.0) || !std::isfinite(s)) throw py::value_error("sigmas: must be finite and > 0");
            if (!(ratio > 1.0) || !std::isfinite(ratio)) throw py::value_error("surround_ratio: must be > 1");
            if (!(truncate > 0.0) || !std::isfinite(truncate)) throw py::value_error("truncate: must be > 0");
            if (srcs.empty() || srcs.size() > 16) throw py::value_error("srcs: need 1 to 16 maps");
            if (outs.size() != srcs.size()) throw py::value_error("outs: need one per map");
            if (scales.size() != srcs.size()) throw py::value_error("scales: need one per map");
            auto mk = const_view<std::uint8_t>(mask, "mask", 1);
            std::vector<ConstView<float>> sv;
            std::vector<MutView<float>> ov;
            std::vector<MutView<std::uint8_t>> kv;
            for (std::size_t i = 0; i < srcs.size(); ++i) {
                sv.push_back(const_view<float>(srcs[i], "srcs", 1));
                ov.push_back(mut_view<float>(outs[i], "outs", 1));
                kv.push_back(mut_view<std::uint8_t>(scales[i], "scales", 1));
                check_same_hw(sv[i], "srcs", mk, "mask");
                check_same_hw(sv[i], "srcs", ov[i], "outs");
                check_same_hw(sv[i], "srcs", kv[i], "scales");
                check_rows_disjoint(ov[i], "outs");
                check_rows_disjoint(kv[i], "scales");
            }
            py::gil_scoped_release nogil;
            lesions::local_contrast_maps(sv.data(), static_cast<int>(sv.size()), mk, sigmas.data(),
                                         static_cast<int>(sigmas.size()), ratio, truncate, ov.data(), kv.data(),
                                         threads);
        },
        py::arg("srcs"), py::arg("mask"), py::arg("sigmas"), py::arg("surround_ratio"), py::arg("truncate"),
        py::arg("outs"), py::arg("scales"), py::arg("threads"),
        "local_contrast of several maps over one mask (the mask's blurs shared); results identical.");
    m.def(
        "region_features",
        [](const py::array& labels, std::int32_t n_labels, const py::array& values, const py::array& mask,
           double gap, double width_factor, double min_width, double core_fraction, int threads) {
            check_threads(threads);
            const lesions::RingParams rp = ring_params(n_labels, gap, width_factor, min_width, core_fraction);
            auto vv = channels_view(values, "values");
            const int C = static_cast<int>(vv.channels);
            auto lv = const_view<std::int32_t>(labels, "labels", 1);
            auto mk = const_view<std::uint8_t>(mask, "mask", 1);
            check_same_hw(lv, "labels", vv, "values");
            check_same_hw(lv, "labels", mk, "mask");
            const py::ssize_t ncol = lesions::kGeomCols + lesions::kChanCols * C;
            py::array_t<double> out({static_cast<py::ssize_t>(n_labels), ncol});
            double* po = out.mutable_data();
            {
                py::gil_scoped_release nogil;
                lesions::region_features(lv, n_labels, vv, mk, rp, po, threads);
            }
            return out;
        },
        py::arg("labels"), py::arg("n_labels"), py::arg("values"), py::arg("mask"), py::arg("ring_gap"),
        py::arg("ring_width_factor"), py::arg("ring_min_width"), py::arg("core_fraction"), py::arg("threads"),
        "Per-region feature table (n_labels, GEOM_COLS + CHAN_COLS * C), float64.");
    m.def(
        "region_features_planes",
        [](const py::array& labels, std::int32_t n_labels, const std::vector<py::array>& planes,
           const py::array& mask, double gap, double width_factor, double min_width, double core_fraction,
           int threads) {
            check_threads(threads);
            const lesions::RingParams rp = ring_params(n_labels, gap, width_factor, min_width, core_fraction);
            if (planes.empty() || planes.size() > 64) throw py::value_error("values: need 1 to 64 planes");
            auto lv = const_view<std::int32_t>(labels, "labels", 1);
            auto mk = const_view<std::uint8_t>(mask, "mask", 1);
            check_same_hw(lv, "labels", mk, "mask");
            std::vector<ConstView<float>> pv;
            for (std::size_t q = 0; q < planes.size(); ++q) {
                const std::string name = "values[" + std::to_string(q) + "]";
                pv.push_back(plane_view(planes[q], name));
                check_same_hw(lv, "labels", pv.back(), name.c_str());
            }
            const int C = static_cast<int>(pv.size());
            const py::ssize_t ncol = lesions::kGeomCols + lesions::kChanCols * C;
            py::array_t<double> out({static_cast<py::ssize_t>(n_labels), ncol});
            double* po = out.mutable_data();
            {
                py::gil_scoped_release nogil;
                lesions::region_features(lv, n_labels, pv.data(), C, mk, rp, po, threads);
            }
            return out;
        },
        py::arg("labels"), py::arg("n_labels"), py::arg("planes"), py::arg("mask"), py::arg("ring_gap"),
        py::arg("ring_width_factor"), py::arg("ring_min_width"), py::arg("core_fraction"), py::arg("threads"),
        "region_features with each channel its own (H, W) plane (any pixel stride, read in place).");
    m.def(
        "smooth_over",
        [](const std::vector<py::array>& srcs, const py::array& mask, double sigma, double truncate,
           double min_weight, std::vector<py::array>& outs, int threads) {
            check_threads(threads);
            if (!(sigma > 0.0) || !std::isfinite(sigma)) throw py::value_error("sigma: must be finite and > 0");
            if (!(truncate > 0.0) || !std::isfinite(truncate)) throw py::value_error("truncate: must be > 0");
            if (!std::isfinite(min_weight)) throw py::value_error("min_weight: must be finite");
            if (std::floor(truncate * sigma + 0.5) > static_cast<double>(kMaxGaussianRadius))
                throw py::value_error("sigma: sigma * truncate too large");
            if (srcs.empty() || srcs.size() > 16) throw py::value_error("srcs: need 1 to 16 maps");
            if (outs.size() != srcs.size()) throw py::value_error("outs: need one per map");
            auto mk = const_view<std::uint8_t>(mask, "mask", 1);
            std::vector<ConstView<float>> sv;
            std::vector<MutView<float>> ov;
            for (std::size_t i = 0; i < srcs.size(); ++i) {
                sv.push_back(const_view<float>(srcs[i], "srcs", 1));
                ov.push_back(mut_view<float>(outs[i], "outs", 1));
                check_same_hw(sv[i], "srcs", mk, "mask");
                check_same_hw(sv[i], "srcs", ov[i], "outs");
                check_rows_disjoint(ov[i], "outs");
            }
            py::gil_scoped_release nogil;
            lesions::smooth_over(sv.data(), static_cast<int>(sv.size()), mk, sigma, truncate,
                                 static_cast<float>(min_weight), ov.data(), threads);
        },
        py::arg("srcs"), py::arg("mask"), py::arg("sigma"), py::arg("truncate"), py::arg("min_weight"),
        py::arg("outs"), py::arg("threads"),
        "Normalised Gaussian convolution of maps over a mask, over the mask's row extents (0 elsewhere).");
    m.def(
        "median3",
        [](const py::array& src, py::array& out, int channels, int threads) {
            check_threads(threads);
            if (channels < 1 || channels > 4) throw py::value_error("src: need 1 to 4 channels");
            auto s = const_view<std::uint8_t>(src, "src", channels);
            auto o = mut_view<std::uint8_t>(out, "out", channels);
            check_same_hw(s, "src", o, "out");
            check_rows_disjoint(o, "out");
            if (s.height > 0 && s.width > 0) {
                const auto* s0 = s.data;
                const auto* s1 = s.row(s.height - 1) + s.width * channels;
                const auto* o0 = o.data;
                const auto* o1 = o.row(o.height - 1) + o.width * channels;
                if (o0 < s1 && s0 < o1) throw py::value_error("out: must not overlap src");
            }
            py::gil_scoped_release nogil;
            lesions::median3(s, o, threads);
        },
        py::arg("src"), py::arg("out"), py::arg("channels"), py::arg("threads"),
        "3x3 median of each channel (edges replicated) of a uint8 image into out.");
    m.def(
        "take",
        [](const py::array& index, int channels, int channel, const py::array& lut, py::array& out, int threads) {
            check_threads(threads);
            if (channels < 1 || channels > 4) throw py::value_error("index: need 1 to 4 channels");
            if (channel < 0 || channel >= channels) throw py::value_error("channel: must be in [0, channels)");
            if (lut.ndim() != 1 || lut.shape(0) < 1) throw py::value_error("lut: expected a non-empty 1-D array");
            if (lut.shape(0) > 1 && lut.strides(0) != lut.itemsize())
                throw py::value_error("lut: must be contiguous");
            if (!out.dtype().equal(lut.dtype())) throw py::value_error("out: dtype differs from lut");
            const std::int64_t n = lut.shape(0);
            bool ok = true;
            auto run = [&](auto idx, auto zero) {
                using T = decltype(zero);
                auto o = mut_view<T>(out, "out");
                check_same_hw(idx, "index", o, "out");
                check_rows_disjoint(o, "out");
                const T* l = static_cast<const T*>(lut.data());
                py::gil_scoped_release nogil;
                ok = lesions::take(idx, channel, l, n, o, threads);
            };
            auto by_lut = [&](auto idx) {
                if (lut.dtype().equal(py::dtype::of<std::uint8_t>())) run(idx, std::uint8_t{});
                else if (lut.dtype().equal(py::dtype::of<std::int32_t>())) run(idx, std::int32_t{});
                else if (lut.dtype().equal(py::dtype::of<float>())) run(idx, float{});
                else throw py::value_error("lut: expected dtype uint8, int32 or float32");
            };
            if (index.dtype().equal(py::dtype::of<std::int32_t>())) {
                if (channels != 1) throw py::value_error("index: an int32 index has one channel");
                by_lut(const_view<std::int32_t>(index, "index"));
            } else if (index.dtype().equal(py::dtype::of<std::uint8_t>())) {
                by_lut(const_view<std::uint8_t>(index, "index", channels));
            } else {
                throw py::value_error("index: expected dtype int32 or uint8");
            }
            if (!ok) throw py::value_error("index: a value is outside [0, len(lut))");
        },
        py::arg("index"), py::arg("channels"), py::arg("channel"), py::arg("lut"), py::arg("out"),
        py::arg("threads"), "out = lut[index] (one channel of index), GIL released; ValueError on an index out of range.");
    m.attr("GEOM_COLS") = static_cast<int>(lesions::kGeomCols);
    m.attr("CHAN_COLS") = static_cast<int>(lesions::kChanCols);
    m.attr("MIN_WEIGHT") = lesions::kMinWeight;
}
