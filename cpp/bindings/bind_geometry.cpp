#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "skincore/geometry.hpp"

namespace py = pybind11;
using namespace skincore;

namespace {

// Runs a kernel without the GIL; invalid_argument from the kernel becomes ValueError.
template <class Fn>
void run_kernel(Fn&& fn) {
    std::string error;
    {
        py::gil_scoped_release release;
        try {
            fn();
        } catch (const std::invalid_argument& e) {
            error = e.what();
        }
    }
    if (!error.empty()) throw py::value_error(error);
}

// blur_threshold's steps: one threshold per sigma, at most 64, finite; sigmas > 0.
void check_blur_steps(const std::vector<double>& sigmas, const std::vector<float>& thresholds) {
    if (sigmas.size() != thresholds.size()) throw py::value_error("thresholds: need one per sigma");
    if (sigmas.size() > 64) throw py::value_error("sigmas: at most 64 steps");
    for (double v : sigmas)
        if (!(v > 0.0) || !std::isfinite(v)) throw py::value_error("sigmas: each must be finite and > 0");
    for (float v : thresholds)
        if (!std::isfinite(v)) throw py::value_error("thresholds: each must be finite");
}

int channels_of(const py::array& a, const char* name) {
    if (a.ndim() == 2) return 1;
    if (a.ndim() == 3 && a.shape(2) == 3) return 3;
    throw py::value_error(std::string(name) + ": expected shape (H, W) or (H, W, 3)");
}

template <class T>
void resize_typed(py::array& src, py::array& dst, int method, int threads) {
    const int c = channels_of(src, "image");
    auto s = py_arrays::const_view<T>(src, "image", c);
    if (channels_of(dst, "out") != c) throw py::value_error("out: channel count differs from image");
    auto d = py_arrays::mut_view<T>(dst, "out", c);
    run_kernel([&] { resize(s, d, static_cast<ResizeMethod>(method), threads); });
}

}  // namespace

void bind_geometry(py::module_& m) {
    m.def(
        "gaussian_blur",
        [](py::array src, py::array dst, double sigma, double truncate, int threads) {
            auto s = py_arrays::const_view<float>(src, "src");
            auto d = py_arrays::mut_view<float>(dst, "dst");
            py_arrays::check_same_hw(s, "src", d, "dst");
            if (!(sigma > 0.0)) throw py::value_error("sigma: must be > 0");
            if (!(truncate > 0.0)) throw py::value_error("truncate: must be > 0");
            run_kernel([&] { gaussian_blur(s, d, sigma, truncate, threads); });
        },
        py::arg("src"), py::arg("dst"), py::arg("sigma"), py::arg("truncate") = 4.0,
        py::arg("threads") = 0);

    m.def(
        "gaussian_blur_planes",
        [](py::list srcs, py::list dsts, double sigma, double truncate, int threads) {
            if (srcs.size() != dsts.size()) throw py::value_error("dsts: one per src");
            if (!(sigma > 0.0)) throw py::value_error("sigma: must be > 0");
            if (!(truncate > 0.0)) throw py::value_error("truncate: must be > 0");
            std::vector<ConstView<float>> sv;
            std::vector<MutView<float>> dv;
            for (std::size_t i = 0; i < srcs.size(); ++i) {
                py::array s = srcs[i], d = dsts[i];
                sv.push_back(py_arrays::const_view<float>(s, "srcs"));
                dv.push_back(py_arrays::mut_view<float>(d, "dsts"));
                py_arrays::check_same_hw(sv[i], "srcs", dv[i], "dsts");
            }
            run_kernel([&] {
                gaussian_blur_planes(sv.data(), dv.data(), static_cast<int>(sv.size()), sigma, truncate, threads);
            });
        },
        py::arg("srcs"), py::arg("dsts"), py::arg("sigma"), py::arg("truncate") = 4.0, py::arg("threads") = 0,
        "gaussian_blur of each plane, the planes spread over the pool; results identical.");

    m.def(
        "max_filter",
        [](py::array src, py::array dst, std::int64_t radius, int threads) {
            auto s = py_arrays::const_view<float>(src, "src");
            auto d = py_arrays::mut_view<float>(dst, "dst");
            py_arrays::check_same_hw(s, "src", d, "dst");
            if (radius < 0) throw py::value_error("radius: must be >= 0");
            run_kernel([&] { max_filter(s, d, radius, threads); });
        },
        py::arg("src"), py::arg("dst"), py::arg("radius"), py::arg("threads") = 0);

    m.def(
        "blur_threshold",
        [](py::array mask, std::vector<double> sigmas, std::vector<float> thresholds, py::array out, int threads) {
            auto s = py_arrays::const_view<std::uint8_t>(mask, "mask");
            auto d = py_arrays::mut_view<std::uint8_t>(out, "out");
            py_arrays::check_same_hw(s, "mask", d, "out");
            check_blur_steps(sigmas, thresholds);
            run_kernel([&] {
                blur_threshold(s, sigmas.data(), thresholds.data(), static_cast<int>(sigmas.size()), d, threads);
            });
        },
        py::arg("mask"), py::arg("sigmas"), py::arg("thresholds"), py::arg("out"), py::arg("threads") = 0);

    m.def(
        "blur_threshold_masks",
        [](py::list masks, std::vector<double> sigmas, std::vector<float> thresholds, py::list outs, int threads,
           py::object boxes) {
            if (masks.size() != outs.size()) throw py::value_error("outs: one per mask");
            check_blur_steps(sigmas, thresholds);
            std::int64_t* bx = nullptr;
            if (!boxes.is_none()) {
                if (!py::isinstance<py::array>(boxes)) throw py::value_error("boxes: expected a numpy array");
                py::array ba = py::reinterpret_borrow<py::array>(boxes);
                if (!ba.dtype().equal(py::dtype::of<std::int64_t>()))
                    throw py::value_error("boxes: expected dtype int64");
                if (ba.ndim() != 2 || ba.shape(0) != static_cast<py::ssize_t>(masks.size()) || ba.shape(1) != 4)
                    throw py::value_error("boxes: expected shape (len(masks), 4)");
                if (!(ba.flags() & py::array::c_style) || !ba.writeable())
                    throw py::value_error("boxes: expected a writeable C-contiguous array");
                bx = static_cast<std::int64_t*>(ba.mutable_data());
            }
            std::vector<ConstView<std::uint8_t>> mv;
            std::vector<MutView<std::uint8_t>> ov;
            for (std::size_t i = 0; i < masks.size(); ++i) {
                py::array a = masks[i], o = outs[i];
                mv.push_back(py_arrays::const_view<std::uint8_t>(a, "masks"));
                ov.push_back(py_arrays::mut_view<std::uint8_t>(o, "outs"));
                py_arrays::check_same_hw(mv[i], "masks", ov[i], "outs");
            }
            run_kernel([&] {
                blur_threshold_masks(mv.data(), ov.data(), static_cast<int>(mv.size()), sigmas.data(),
                                     thresholds.data(), static_cast<int>(sigmas.size()), threads, bx);
            });
        },
        py::arg("masks"), py::arg("sigmas"), py::arg("thresholds"), py::arg("outs"), py::arg("threads") = 0,
        py::arg("boxes") = py::none(),
        "blur_threshold of each mask, the masks spread over the pool; results identical. boxes: an "
        "(n, 4) int64 array for each result's bounding box x0, y0, x1, y1 (0s when empty), or None.");

    m.def(
        "resize",
        [](py::array src, py::array dst, int method, int threads) {
            if (method != 0 && method != 1) throw py::value_error("method: must be 0 (area) or 1 (bilinear)");
            if (!src.dtype().equal(dst.dtype())) throw py::value_error("out: dtype differs from image");
            if (src.dtype().equal(py::dtype::of<std::uint8_t>())) {
                resize_typed<std::uint8_t>(src, dst, method, threads);
            } else if (src.dtype().equal(py::dtype::of<float>())) {
                resize_typed<float>(src, dst, method, threads);
            } else {
                throw py::value_error("image: expected dtype uint8 or float32, got " +
                                      std::string(py::str(src.dtype())));
            }
        },
        py::arg("src"), py::arg("dst"), py::arg("method"), py::arg("threads") = 0);

    m.def(
        "resize_mask",
        [](py::array src, py::array dst, int threads) {
            auto s = py_arrays::const_view<std::uint8_t>(src, "mask");
            auto d = py_arrays::mut_view<std::uint8_t>(dst, "out");
            run_kernel([&] { resize_mask(s, d, threads); });
        },
        py::arg("src"), py::arg("dst"), py::arg("threads") = 0,
        "255 where the bilinear resize of a uint8 mask is >= 128, else 0.");

    m.def(
        "fill_polygons",
        [](py::array_t<double, py::array::c_style> xy, py::array_t<std::int64_t, py::array::c_style> offsets,
           py::array dst, int value, int rule, int threads, std::int64_t ox, std::int64_t oy) {
            if (xy.ndim() != 2 || xy.shape(1) != 2) throw py::value_error("xy: expected shape (N, 2)");
            if (std::abs(ox) > (std::int64_t{1} << 40) || std::abs(oy) > (std::int64_t{1} << 40))
                throw py::value_error("origin: coordinates must have magnitude <= 2**40");
            if (offsets.ndim() != 1 || offsets.shape(0) < 1)
                throw py::value_error("offsets: expected shape (P + 1,)");
            const std::int64_t np = offsets.shape(0) - 1;
            const std::int64_t* off = offsets.data();
            if (off[0] != 0 || off[np] != xy.shape(0))
                throw py::value_error("offsets: must start at 0 and end at len(xy)");
            for (std::int64_t p = 0; p < np; ++p)
                if (off[p + 1] < off[p]) throw py::value_error("offsets: must be non-decreasing");
            if (value < 0 || value > 255) throw py::value_error("value: must be in [0, 255]");
            if (rule != 0 && rule != 1) throw py::value_error("rule: must be 0 (evenodd) or 1 (nonzero)");
            auto d = py_arrays::mut_view<std::uint8_t>(dst, "out");
            const double* p = xy.data();
            run_kernel([&] {
                fill_polygons(p, off, np, d, static_cast<std::uint8_t>(value),
                              static_cast<FillRule>(rule), threads, ox, oy);
            });
        },
        py::arg("xy"), py::arg("offsets"), py::arg("dst"), py::arg("value"), py::arg("rule"),
        py::arg("threads") = 0, py::arg("ox") = 0, py::arg("oy") = 0);

    m.def(
        "tile_median",
        [](py::array src, py::array mask, std::int64_t tile, py::array median, py::array count,
           int threads, std::int64_t step, float below, bool negate) {
            auto s = py_arrays::const_view<float>(src, "src");
            auto mk = py_arrays::const_view<std::uint8_t>(mask, "mask");
            py_arrays::check_same_hw(s, "src", mk, "mask");
            if (tile < 1) throw py::value_error("tile: must be >= 1");
            if (step < 1) throw py::value_error("step: must be >= 1");
            auto md = py_arrays::mut_view<float>(median, "median");
            auto ct = py_arrays::mut_view<std::int32_t>(count, "count");
            TileMedianOptions opt;
            opt.step = step;
            opt.below = below;
            opt.negate = negate;
            run_kernel([&] { tile_median(s, mk, tile, md, ct, threads, opt); });
        },
        py::arg("src"), py::arg("mask"), py::arg("tile"), py::arg("median"), py::arg("count"),
        py::arg("threads") = 0, py::arg("step") = 1,
        py::arg("below") = std::numeric_limits<float>::quiet_NaN(), py::arg("negate") = false);

    m.def(
        "middle_values",
        [](py::array src) {
            auto s = py_arrays::const_view<float>(src, "src");
            float lower = 0.0f, upper = 0.0f;
            run_kernel([&] { middle_values(s, lower, upper); });
            return py::make_tuple(lower, upper);
        },
        py::arg("src"),
        "The two middle order statistics of all values (see skincore.geometry.middle_values).");

    m.def(
        "sample_separable",
        [](py::array src, py::array_t<double, py::array::c_style> xs,
           py::array_t<double, py::array::c_style> ys, py::array dst, int threads) {
            auto s = py_arrays::const_view<float>(src, "src");
            auto d = py_arrays::mut_view<float>(dst, "dst");
            if (xs.ndim() != 1 || xs.shape(0) != d.width)
                throw py::value_error("xs: expected shape (dst columns,)");
            if (ys.ndim() != 1 || ys.shape(0) != d.height)
                throw py::value_error("ys: expected shape (dst rows,)");
            const double* xp = xs.data();
            const double* yp = ys.data();
            for (py::ssize_t i = 0; i < xs.shape(0); ++i)
                if (!std::isfinite(xp[i])) throw py::value_error("xs: must be finite");
            for (py::ssize_t i = 0; i < ys.shape(0); ++i)
                if (!std::isfinite(yp[i])) throw py::value_error("ys: must be finite");
            run_kernel([&] { sample_separable(s, xp, yp, d, threads); });
        },
        py::arg("src"), py::arg("xs"), py::arg("ys"), py::arg("dst"), py::arg("threads") = 0);

    m.def(
        "warp_affine",
        [](py::array src, py::array_t<double, py::array::c_style> coeffs, py::array dst, float div,
           float sub, int threads) {
            const int ch = src.ndim() == 3 ? static_cast<int>(src.shape(2)) : 1;
            if (ch != 1 && ch != 3) throw py::value_error("src: expected shape (H, W) or (H, W, 3)");
            auto s = py_arrays::const_view<std::uint8_t>(src, "src", ch);
            if (dst.ndim() != src.ndim())
                throw py::value_error("dst: expected as many dimensions as src");
            if (coeffs.ndim() != 1 || coeffs.shape(0) != 6)
                throw py::value_error("coeffs: expected shape (6,)");
            const double* a = coeffs.data();
            for (int k = 0; k < 6; ++k)
                if (!std::isfinite(a[k])) throw py::value_error("coeffs: must be finite");
            if (py::dtype::of<float>().is(dst.dtype()) || dst.dtype().equal(py::dtype::of<float>())) {
                if (!std::isfinite(div) || div == 0.0f || !std::isfinite(sub))
                    throw py::value_error("div, sub: must be finite, div non-zero");
                auto d = py_arrays::mut_view<float>(dst, "dst", ch);
                run_kernel([&] { warp_affine(s, a, d, div, sub, threads); });
            } else {
                auto d = py_arrays::mut_view<std::uint8_t>(dst, "dst", ch);
                run_kernel([&] { warp_affine(s, a, d, threads); });
            }
        },
        py::arg("src"), py::arg("coeffs"), py::arg("dst"), py::arg("div") = 1.0f,
        py::arg("sub") = 0.0f, py::arg("threads") = 0);
}
