// Python bindings of the ridges kernels (skincore._core.ridges).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "skincore/ridges.hpp"

namespace py = pybind11;
using namespace skincore;

namespace {

py::array as_array(const py::object& o, const char* name);

template <class T>
ConstView<T> optional_view(const py::object& o, const char* name, const ConstView<float>& like) {
    if (o.is_none()) return {};
    py::array a = as_array(o, name);
    auto v = py_arrays::const_view<T>(a, name);
    py_arrays::check_same_hw(like, "response", v, name);
    return v;
}

py::array as_array(const py::object& o, const char* name) {
    if (!py::isinstance<py::array>(o)) throw py::value_error(std::string(name) + ": expected a numpy array");
    return py::reinterpret_borrow<py::array>(o);
}

}  // namespace

void bind_ridges(py::module_& m) {
    m.def(
        "frangi",
        [](py::array src, std::vector<double> sigmas, bool black_ridges, double beta, double gamma,
           bool normalize, double edge_beta, py::object mask, py::array response, py::object scale, py::array orientation,
           py::object strength, py::object strength_scale, int threads, float response_floor) {
            auto s = py_arrays::const_view<float>(src, "gray");
            auto r = py_arrays::mut_view<float>(response, "response");
            auto o = py_arrays::mut_view<float>(orientation, "orientation");
            py_arrays::check_same_hw(s, "gray", r, "response");
            py_arrays::check_same_hw(s, "gray", o, "orientation");
            MutView<float> sc{};
            if (!scale.is_none()) {
                py::array sa = as_array(scale, "scale");
                sc = py_arrays::mut_view<float>(sa, "scale");
                py_arrays::check_same_hw(s, "gray", sc, "scale");
            }
            MutView<float> st{};
            if (!strength.is_none()) {
                py::array sa = as_array(strength, "strength");
                st = py_arrays::mut_view<float>(sa, "strength");
                py_arrays::check_same_hw(s, "gray", st, "strength");
            }
            MutView<float> ssc{};
            if (!strength_scale.is_none()) {
                py::array sa = as_array(strength_scale, "strength_scale");
                ssc = py_arrays::mut_view<float>(sa, "strength_scale");
                py_arrays::check_same_hw(s, "gray", ssc, "strength_scale");
            }
            ConstView<std::uint8_t> mk{};
            if (!mask.is_none()) {
                py::array ma = as_array(mask, "mask");
                mk = py_arrays::const_view<std::uint8_t>(ma, "mask");
                py_arrays::check_same_hw(s, "gray", mk, "mask");
            }
            if (sigmas.empty() || sigmas.size() > kMaxFrangiScales)
                throw py::value_error("sigmas: need 1 to 64 scales");
            for (double v : sigmas)
                if (!(v > 0.0) || !(v <= kMaxFrangiSigma))
                    throw py::value_error("sigmas: each sigma must be finite, > 0 and <= 256");
            if (!(beta > 0.0) || !std::isfinite(beta)) throw py::value_error("beta: must be finite and > 0");
            if (!(gamma >= 0.0) || !std::isfinite(gamma))
                throw py::value_error("gamma: must be finite and > 0 (or None)");
            if (!(edge_beta >= 0.0) || !std::isfinite(edge_beta))
                throw py::value_error("edge_beta: must be finite and > 0 (or None)");
            FrangiParams p;
            p.edge_beta = edge_beta;
            p.black_ridges = black_ridges;
            p.beta = beta;
            p.gamma = gamma;
            p.normalize = normalize;
            if (!std::isfinite(response_floor)) throw py::value_error("response_floor: must be finite");
            p.response_floor = response_floor;
            py::gil_scoped_release release;
            frangi(s, sigmas, p, mk, r, sc, o, st, ssc, threads);
        },
        py::arg("gray"), py::arg("sigmas"), py::arg("black_ridges"), py::arg("beta"), py::arg("gamma"),
        py::arg("normalize"), py::arg("edge_beta"), py::arg("mask"), py::arg("response"), py::arg("scale"),
        py::arg("orientation"), py::arg("strength"), py::arg("strength_scale"), py::arg("threads"),
        py::arg("response_floor") = 0.0f);
    m.def("frangi_uses_avx2", [] { return frangi_uses_avx2(); },
          "Whether frangi runs its AVX2 instance (bit-identical to the generic one) on this CPU.");

    m.def(
        "hysteresis_skeleton",
        [](py::array response, py::object mask, float low, float high, bool thin, py::array out,
           int threads) {
            auto r = py_arrays::const_view<float>(response, "response");
            auto o = py_arrays::mut_view<std::uint8_t>(out, "out");
            py_arrays::check_same_hw(r, "response", o, "out");
            auto mk = optional_view<std::uint8_t>(mask, "mask", r);
            if (!std::isfinite(low)) throw py::value_error("low: must be finite");
            if (!std::isfinite(high)) throw py::value_error("high: must be finite");
            if (low > high) throw py::value_error("low: must be <= high");
            py::gil_scoped_release release;
            hysteresis_skeleton(r, mk, low, high, thin, o, threads);
        },
        py::arg("response"), py::arg("mask"), py::arg("low"), py::arg("high"), py::arg("thin"),
        py::arg("out"), py::arg("threads"));

    m.def(
        "trace",
        [](py::array response, py::object scale, py::object orientation, py::object depth,
           py::object mask, float low, float high, double min_length, double max_gap,
           double max_angle_deg, double spur_length, int smooth, int threads) {
            auto r = py_arrays::const_view<float>(response, "response");
            auto sc = optional_view<float>(scale, "scale", r);
            auto o = optional_view<float>(orientation, "orientation", r);
            auto d = optional_view<float>(depth, "depth", r);
            auto mk = optional_view<std::uint8_t>(mask, "mask", r);
            if (!std::isfinite(low)) throw py::value_error("low: must be finite");
            if (!std::isfinite(high)) throw py::value_error("high: must be finite");
            if (low > high) throw py::value_error("low: must be <= high");
            if (!(min_length >= 0.0) || !std::isfinite(min_length))
                throw py::value_error("min_length: must be finite and >= 0");
            if (!(max_gap >= 0.0) || !(max_gap <= 64.0)) throw py::value_error("max_gap: must be in [0, 64]");
            if (!(max_angle_deg >= 0.0) || !(max_angle_deg <= 90.0))
                throw py::value_error("max_angle_deg: must be in [0, 90]");
            if (!(spur_length >= 0.0) || !std::isfinite(spur_length))
                throw py::value_error("spur_length: must be finite and >= 0");
            if (smooth < 0 || smooth > 64) throw py::value_error("smooth: must be in [0, 64]");
            TraceParams p;
            p.low = low;
            p.high = high;
            p.min_length = min_length;
            p.max_gap = max_gap;
            p.max_angle_deg = max_angle_deg;
            p.spur_length = spur_length;
            p.smooth = smooth;
            TraceResult res;
            {
                py::gil_scoped_release release;
                res = trace(r, sc, o, d, mk, p, threads);
            }
            const auto n = static_cast<py::ssize_t>(res.offsets.size());
            py::array_t<std::int64_t> offs(n);
            std::copy(res.offsets.begin(), res.offsets.end(), offs.mutable_data());
            py::array_t<float> xy({static_cast<py::ssize_t>(res.xy.size() / 2), py::ssize_t{2}});
            std::copy(res.xy.begin(), res.xy.end(), xy.mutable_data());
            py::array_t<double> stats({n - 1, static_cast<py::ssize_t>(kTraceStats)});
            std::copy(res.stats.begin(), res.stats.end(), stats.mutable_data());
            return py::make_tuple(offs, xy, stats);
        },
        py::arg("response"), py::arg("scale"), py::arg("orientation"), py::arg("depth"), py::arg("mask"),
        py::arg("low"), py::arg("high"), py::arg("min_length"), py::arg("max_gap"),
        py::arg("max_angle_deg"), py::arg("spur_length"), py::arg("smooth"), py::arg("threads"));
}
