#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "skincore/blobs.hpp"

namespace py = pybind11;
using namespace skincore;

namespace {

BlobPolarity parse_polarity(const std::string& s) {
    if (s == "dark") return BlobPolarity::Dark;
    if (s == "bright") return BlobPolarity::Bright;
    throw py::value_error("polarity: expected 'dark' or 'bright', got '" + s + "'");
}

std::vector<MutView<float>> mut_list(const py::list& arrays, const char* name) {
    std::vector<MutView<float>> out;
    for (auto item : arrays) {
        if (!py::isinstance<py::array>(item))
            throw py::value_error(std::string(name) + ": expected a list of numpy arrays");
        auto a = item.cast<py::array>();
        out.push_back(py_arrays::mut_view<float>(a, name));
    }
    return out;
}

py::array_t<float> to_array(const std::vector<Blob>& blobs) {
    py::array_t<float> out({static_cast<py::ssize_t>(blobs.size()), py::ssize_t{4}});
    auto o = out.mutable_unchecked<2>();
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        const auto r = static_cast<py::ssize_t>(i);
        o(r, 0) = blobs[i].x;
        o(r, 1) = blobs[i].y;
        o(r, 2) = blobs[i].radius;
        o(r, 3) = blobs[i].response;
    }
    return out;
}

}  // namespace

void bind_blobs(py::module_& m) {
    m.attr("MAX_SCALES") = kMaxBlobScales;
    m.def(
        "detect",
        [](py::array gray, py::object mask, std::vector<double> sigmas, const std::string& polarity,
           double threshold, double overlap, double truncate, int threads) {
            auto g = py_arrays::const_view<float>(gray, "gray");
            ConstView<std::uint8_t> mv;
            const ConstView<std::uint8_t>* mp = nullptr;
            py::array mask_arr;
            if (!mask.is_none()) {
                if (!py::isinstance<py::array>(mask))
                    throw py::value_error("mask: expected a numpy array or None");
                mask_arr = mask.cast<py::array>();
                mv = py_arrays::const_view<std::uint8_t>(mask_arr, "mask");
                py_arrays::check_same_hw(g, "gray", mv, "mask");
                mp = &mv;
            }
            BlobParams p;
            p.sigmas = std::move(sigmas);
            p.polarity = parse_polarity(polarity);
            p.threshold = threshold;
            p.overlap = overlap;
            p.truncate = truncate;
            try {
                validate_blob_params(p);
            } catch (const std::invalid_argument& e) {
                throw py::value_error(e.what());
            }
            std::vector<Blob> blobs;
            {
                py::gil_scoped_release release;
                try {
                    blobs = detect_blobs(g, mp, p, threads);
                } catch (const std::invalid_argument& e) {
                    py::gil_scoped_acquire acquire;
                    throw py::value_error(e.what());
                }
            }
            return to_array(blobs);
        },
        py::arg("gray"), py::arg("mask"), py::arg("sigmas"), py::arg("polarity"),
        py::arg("threshold"), py::arg("overlap"), py::arg("truncate"), py::arg("threads"));
    m.def(
        "scale_space",
        [](py::array gray, py::list blurs, py::list layers, std::vector<double> sigmas,
           double truncate, int threads, py::object support, std::int64_t margin) {
            auto g = py_arrays::const_view<float>(gray, "gray");
            auto bv = mut_list(blurs, "blurs");
            auto lv = mut_list(layers, "layers");
            ConstView<std::uint8_t> sv;
            const ConstView<std::uint8_t>* sp = nullptr;
            py::array support_arr;
            if (!support.is_none()) {
                if (!py::isinstance<py::array>(support))
                    throw py::value_error("support: expected a numpy array or None");
                support_arr = support.cast<py::array>();
                sv = py_arrays::const_view<std::uint8_t>(support_arr, "support");
                py_arrays::check_same_hw(g, "gray", sv, "support");
                sp = &sv;
            }
            py::gil_scoped_release release;
            try {
                return blob_scale_space(g, sigmas, truncate, bv, lv, threads, sp, margin);
            } catch (const std::invalid_argument& e) {
                py::gil_scoped_acquire acquire;
                throw py::value_error(e.what());
            }
        },
        py::arg("gray"), py::arg("blurs"), py::arg("layers"), py::arg("sigmas"),
        py::arg("truncate"), py::arg("threads"), py::arg("support") = py::none(),
        py::arg("margin") = 0);
    m.def(
        "detect_layers",
        [](py::list layers, py::object mask, std::vector<double> sigmas, const std::string& polarity,
           double threshold, double overlap, int threads, bool check_finite) {
            std::vector<ConstView<float>> lv;
            std::vector<py::array> keep;
            for (auto item : layers) {
                if (!py::isinstance<py::array>(item))
                    throw py::value_error("layers: expected a list of numpy arrays");
                keep.push_back(item.cast<py::array>());
                lv.push_back(py_arrays::const_view<float>(keep.back(), "layers"));
            }
            if (lv.empty()) throw py::value_error("layers: need at least one layer");
            ConstView<std::uint8_t> mv;
            const ConstView<std::uint8_t>* mp = nullptr;
            py::array mask_arr;
            if (!mask.is_none()) {
                if (!py::isinstance<py::array>(mask))
                    throw py::value_error("mask: expected a numpy array or None");
                mask_arr = mask.cast<py::array>();
                mv = py_arrays::const_view<std::uint8_t>(mask_arr, "mask");
                mp = &mv;
            }
            BlobParams p;
            p.sigmas = std::move(sigmas);
            p.polarity = parse_polarity(polarity);
            p.threshold = threshold;
            p.overlap = overlap;
            std::vector<Blob> blobs;
            {
                py::gil_scoped_release release;
                try {
                    blobs = detect_blobs_in_layers(lv, mp, p, threads, check_finite);
                } catch (const std::invalid_argument& e) {
                    py::gil_scoped_acquire acquire;
                    throw py::value_error(e.what());
                }
            }
            return to_array(blobs);
        },
        py::arg("layers"), py::arg("mask"), py::arg("sigmas"), py::arg("polarity"),
        py::arg("threshold"), py::arg("overlap"), py::arg("threads"),
        py::arg("check_finite") = true);
    m.def(
        "dog_response",
        [](py::array gray, py::array dst, double sigma_a, double sigma_b,
           const std::string& polarity, double truncate, int threads) {
            auto g = py_arrays::const_view<float>(gray, "gray");
            auto d = py_arrays::mut_view<float>(dst, "out");
            py_arrays::check_same_hw(g, "gray", d, "out");
            const BlobPolarity pol = parse_polarity(polarity);
            BlobParams p;
            p.sigmas = {sigma_a, sigma_b};
            p.truncate = truncate;
            try {
                validate_blob_params(p);
            } catch (const std::invalid_argument& e) {
                throw py::value_error(e.what());
            }
            py::gil_scoped_release release;
            try {
                dog_response(g, d, sigma_a, sigma_b, pol, truncate, threads);
            } catch (const std::invalid_argument& e) {
                py::gil_scoped_acquire acquire;
                throw py::value_error(e.what());
            }
        },
        py::arg("gray"), py::arg("out"), py::arg("sigma_a"), py::arg("sigma_b"),
        py::arg("polarity"), py::arg("truncate"), py::arg("threads"));
}
