// Axis-aligned box kernels (see boxes.hpp).
#include "skincore/boxes.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "skincore/cpu.hpp"

namespace skincore::boxes {

namespace {

// The kept boxes of one class, one array per coordinate (x0, y0, x1, y1, area),
// in the order kept.
struct Kept {
    std::vector<double> x0, y0, x1, y1, area;
    void push(const double* b, double a) {
        x0.push_back(b[0]);
        y0.push_back(b[1]);
        x1.push_back(b[2]);
        y1.push_back(b[3]);
        area.push_back(a);
    }
};

// Whether any of the n kept boxes (x0..area) overlaps b (area a) by IoU > iou (or a
// NaN IoU). Over blocks of 8, branch-free so that it vectorises: the blocks'
// intersections first, the IoU quotients only in a block where one is nonzero
// (elsewhere every IoU is exactly 0); the same floats as one box at a time.
// Stops after the first block holding an overlap.
SKINCORE_AVX2_CLONES bool suppressed(const double* __restrict x0, const double* __restrict y0,
                                     const double* __restrict x1, const double* __restrict y1,
                                     const double* __restrict area, std::size_t n, const double* b, double a,
                                     double iou) {
    const double b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
    const bool zero_goes = !(0.0 <= iou);  // an IoU of 0 suppresses (iou < 0)
    double inter[8];
    for (std::size_t k = 0; k < n; k += 8) {
        const std::size_t m = std::min<std::size_t>(8, n - k);
        bool overlap = false;
        for (std::size_t j = 0; j < m; ++j) {
            const double ix0 = std::max(x0[k + j], b0);
            const double iy0 = std::max(y0[k + j], b1);
            const double ix1 = std::min(x1[k + j], b2);
            const double iy1 = std::min(y1[k + j], b3);
            inter[j] = std::max(ix1 - ix0, 0.0) * std::max(iy1 - iy0, 0.0);
            overlap |= inter[j] != 0.0;
        }
        if (!overlap) {
            if (zero_goes) return true;
            continue;
        }
        bool hit = false;
        for (std::size_t j = 0; j < m; ++j) {
            const double uni = area[k + j] + a - inter[j];
            const double v = uni > 0.0 ? inter[j] / uni : 0.0;
            hit |= !(v <= iou);
        }
        if (hit) return true;
    }
    return false;
}

}  // namespace

std::int64_t greedy_nms(const double* boxes, const std::int64_t* classes, std::int64_t n, double iou,
                        std::int64_t max_keep, std::int64_t* keep) {
    if (n < 0) throw std::invalid_argument("greedy_nms: n must be >= 0");
    if (n == 0 || max_keep == 0) return 0;
    const std::size_t un = static_cast<std::size_t>(n);
    // Dense class ids: the sorted distinct values, each box's rank among them.
    std::vector<std::int64_t> distinct(classes, classes + n);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    // Each candidate is compared with its class's kept boxes only.
    std::vector<Kept> kept(distinct.size());
    std::int64_t count = 0;
    for (std::size_t i = 0; i < un; ++i) {
        const std::size_t cls = static_cast<std::size_t>(
            std::lower_bound(distinct.begin(), distinct.end(), classes[i]) - distinct.begin());
        const double* b = boxes + 4 * i;
        const double area = (b[2] - b[0]) * (b[3] - b[1]);
        Kept& mine = kept[cls];
        if (suppressed(mine.x0.data(), mine.y0.data(), mine.x1.data(), mine.y1.data(), mine.area.data(),
                       mine.area.size(), b, area, iou))
            continue;
        mine.push(b, area);
        keep[count++] = static_cast<std::int64_t>(i);
        if (count == max_keep) break;
    }
    return count;
}

}  // namespace skincore::boxes
