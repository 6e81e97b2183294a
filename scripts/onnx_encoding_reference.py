"""The reference for mlwb's ONNX encoder (src/pipeline/export/onnx.rs): builds one small model
with the onnx package (every message and attribute kind the exporter writes), checks it with
onnx.checker, runs it in onnxruntime, and prints its serialized bytes as hex. The Rust test
`the_encoding_matches_onnx_byte_for_byte` holds these bytes.

    python3 -m venv /tmp/serving-venv
    /tmp/serving-venv/bin/pip install onnx==1.23.2 onnxruntime==1.31.1 numpy
    /tmp/serving-venv/bin/python scripts/onnx_encoding_reference.py
"""

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper


def model():
    x = helper.make_tensor_value_info("X", TensorProto.DOUBLE, ["N", 2])
    s = helper.make_tensor_value_info("S", TensorProto.STRING, ["N", 1])
    outputs = [
        helper.make_tensor_value_info("Z", TensorProto.FLOAT, ["N", 2]),
        helper.make_tensor_value_info("H", TensorProto.FLOAT, ["N", 1, 2]),
        helper.make_tensor_value_info("C", TensorProto.INT64, [3]),
        helper.make_tensor_value_info("L", TensorProto.DOUBLE, ["N", 2]),
        helper.make_tensor_value_info("T", TensorProto.DOUBLE, [2, "N"]),
    ]
    b = helper.make_tensor("B", TensorProto.DOUBLE, [2], [0.5, -1.5])
    nodes = [
        helper.make_node("Add", ["X", "B"], ["Y"], name="add", domain=""),
        helper.make_node(
            "Scaler", ["Y"], ["Z"], name="scale", domain="ai.onnx.ml",
            offset=[1.0, 2.0], scale=[0.5, 0.25],
        ),
        helper.make_node(
            "OneHotEncoder", ["S"], ["H"], name="enc", domain="ai.onnx.ml",
            cats_strings=["a", "b"], zeros=1,
        ),
        helper.make_node(
            "Constant", [], ["C"], name="const", domain="",
            value=helper.make_tensor("c", TensorProto.INT64, [3], [1, -1, 7]),
        ),
        helper.make_node("LeakyRelu", ["X"], ["L"], name="leaky", domain="", alpha=0.1),
        helper.make_node("Transpose", ["X"], ["T"], name="transpose", domain="", perm=[1, 0]),
    ]
    graph = helper.make_graph(nodes, "reference", [x, s], outputs, initializer=[b])
    m = helper.make_model(
        graph,
        producer_name="mlwb",
        producer_version="0.1.0",
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)],
    )
    m.ir_version = 8
    helper.set_model_props(m, {"mlwb": "test"})
    return m


m = model()
onnx.checker.check_model(m)
session = ort.InferenceSession(m.SerializeToString())
z, h, c, l, t = session.run(
    None,
    {"X": np.array([[1.0, -2.0]]), "S": np.array([["b"]], dtype=object)},
)
print("Z", z.tolist(), "H", h.tolist(), "C", c.tolist(), "L", l.tolist(), "T", t.tolist())
print(m.SerializeToString().hex())
