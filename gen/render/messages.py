"""The words a sheet prints, by language: the one catalogue for every template."""

from __future__ import annotations

# Placeholders in braces (``{points}``, ``{error}``) are filled by the ``fill``
# filter of gen.render.sheet; everything else is plain prose, escaped on use.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "colon": ": ",
        "dash": " --- ",
        "stop": ".",
        "notation": "Notation",
        "dims": "Dimensions",
        "meaning": "Meaning",
        "variables": "Variables",
        "shape": "Shape",
        "description": "Description",
        "props": "Properties",
        "definitions": "Definitions",
        "layout": "Layout",
        "method": "Method",
        "kind": "Kind",
        "verified": "checked numerically at {points} points, max relative error {error}",
        "failed": "FAILED",
        "failed_detail": "numerical check at {points} points, max relative error {error}",
        "unchecked": "not checked numerically",
        "layout.numerator": "numerator",
        "layout.denominator": "denominator",
        "layout.mixed": "mixed",
        "layout_summary.numerator": (
            "every derivative has the rows of the numerator and the columns of the "
            "denominator (Jacobian form)"
        ),
        "layout_summary.denominator": (
            "every derivative has the rows of the denominator and the columns of the "
            "numerator (gradient form, the transpose of the Jacobian)"
        ),
        "layout_summary.mixed": (
            "gradients of a scalar have the shape of the variable (denominator layout); "
            "Jacobians are in numerator layout"
        ),
        "method.chain": "chain rule",
        "method.differential": "differentials",
        "method.index": "index notation",
        "kind.scalar-by-scalar": "scalar by scalar",
        "kind.scalar-by-vector": "scalar by vector",
        "kind.scalar-by-matrix": "scalar by matrix",
        "kind.vector-by-scalar": "vector by scalar",
        "kind.vector-by-vector": "vector by vector",
        "kind.matrix-by-scalar": "matrix by scalar",
        "kind.vec-by-vec": "vec by vec",
        "prop.symmetric": "symmetric",
        "prop.positive-definite": "positive definite",
        "prop.invertible": "invertible",
        "prop.diagonal": "diagonal",
        "prop.positive": "entrywise positive",
        "prop.constant": "constant",
    },
    "zh": {
        "colon": "：",
        "dash": "——",
        "stop": "。",
        "notation": "记号",
        "dims": "维度",
        "meaning": "含义",
        "variables": "变量",
        "shape": "形状",
        "description": "说明",
        "props": "性质",
        "definitions": "定义",
        "layout": "布局",
        "method": "方法",
        "kind": "类型",
        "verified": "已在 {points} 个点上数值验证，最大相对误差 {error}",
        "failed": "验证失败",
        "failed_detail": "在 {points} 个点上数值检验，最大相对误差 {error}",
        "unchecked": "未做数值验证",
        "layout.numerator": "分子布局",
        "layout.denominator": "分母布局",
        "layout.mixed": "混合布局",
        "layout_summary.numerator": "导数的行对应分子、列对应分母（雅可比矩阵形式）",
        "layout_summary.denominator": (
            "导数的行对应分母、列对应分子（梯度形式，即雅可比矩阵的转置）"
        ),
        "layout_summary.mixed": "标量的梯度与变量同形（分母布局）；雅可比矩阵采用分子布局",
        "method.chain": "链式法则",
        "method.differential": "微分法",
        "method.index": "下标法",
        "kind.scalar-by-scalar": "标量对标量",
        "kind.scalar-by-vector": "标量对向量",
        "kind.scalar-by-matrix": "标量对矩阵",
        "kind.vector-by-scalar": "向量对标量",
        "kind.vector-by-vector": "向量对向量",
        "kind.matrix-by-scalar": "矩阵对标量",
        "kind.vec-by-vec": "向量化后向量对向量",
        "prop.symmetric": "对称",
        "prop.positive-definite": "正定",
        "prop.invertible": "可逆",
        "prop.diagonal": "对角",
        "prop.positive": "逐元素为正",
        "prop.constant": "常量",
    },
}
