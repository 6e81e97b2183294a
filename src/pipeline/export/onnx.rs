//! ONNX models as data, and their protobuf encoding (`onnx.proto`, proto2, IR version 8): the
//! messages an exported graph needs — model, graph, node, attribute, tensor, value info,
//! opset import, metadata — written field by field in field-number order, as protobuf's own
//! serializers do, so the bytes match theirs.

/// A tensor element type (`TensorProto.DataType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElemType {
    Float = 1,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Double = 11,
}

/// One dimension of a graph input or output: fixed, or named (the batch, `N`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dim {
    Fixed(i64),
    Named(String),
}

/// A graph input or output: a tensor's name, element type and shape.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueInfo {
    pub name: String,
    pub elem: ElemType,
    pub dims: Vec<Dim>,
}

/// A tensor's values.
#[derive(Clone, Debug, PartialEq)]
pub enum TensorData {
    Float(Vec<f32>),
    Double(Vec<f64>),
    Int64(Vec<i64>),
    String(Vec<String>),
}

impl TensorData {
    fn elem(&self) -> ElemType {
        match self {
            TensorData::Float(_) => ElemType::Float,
            TensorData::Double(_) => ElemType::Double,
            TensorData::Int64(_) => ElemType::Int64,
            TensorData::String(_) => ElemType::String,
        }
    }
}

/// A constant tensor: a graph initializer or a tensor attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    pub name: String,
    pub dims: Vec<i64>,
    pub data: TensorData,
}

/// An attribute's value (`AttributeProto`, one of its value fields with its type).
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    Float(f32),
    Int(i64),
    String(String),
    Tensor(Tensor),
    Floats(Vec<f32>),
    Ints(Vec<i64>),
    Strings(Vec<String>),
}

impl AttrValue {
    /// `AttributeProto.AttributeType`.
    fn type_code(&self) -> i64 {
        match self {
            AttrValue::Float(_) => 1,
            AttrValue::Int(_) => 2,
            AttrValue::String(_) => 3,
            AttrValue::Tensor(_) => 4,
            AttrValue::Floats(_) => 6,
            AttrValue::Ints(_) => 7,
            AttrValue::Strings(_) => 8,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub value: AttrValue,
}

/// One operator applied: its inputs and outputs by name, its operator and operator-set domain
/// (`""` for the standard set, `ai.onnx.ml` for the classical-ML one), its attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub name: String,
    pub op_type: String,
    pub domain: String,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub attributes: Vec<Attribute>,
}

/// The computation: nodes in topological order, constants, inputs and outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub name: String,
    pub nodes: Vec<Node>,
    pub initializers: Vec<Tensor>,
    pub inputs: Vec<ValueInfo>,
    pub outputs: Vec<ValueInfo>,
}

/// A whole model: the graph, the operator sets it uses, who made it, and free metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub ir_version: i64,
    pub producer_name: String,
    pub producer_version: String,
    pub graph: Graph,
    /// `(domain, version)`: `("", 17)`, `("ai.onnx.ml", 3)`.
    pub opsets: Vec<(String, i64)>,
    pub metadata: Vec<(String, String)>,
}

impl Model {
    /// The model in ONNX's file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.int64(1, self.ir_version);
        w.string(2, &self.producer_name);
        w.string(3, &self.producer_version);
        w.message(7, |w| graph(w, &self.graph));
        for (domain, version) in &self.opsets {
            w.message(8, |w| {
                w.string(1, domain);
                w.int64(2, *version);
            });
        }
        for (key, value) in &self.metadata {
            w.message(14, |w| {
                w.string(1, key);
                w.string(2, value);
            });
        }
        w.bytes
    }
}

fn graph(w: &mut Writer, g: &Graph) {
    for n in &g.nodes {
        w.message(1, |w| node(w, n));
    }
    w.string(2, &g.name);
    for t in &g.initializers {
        w.message(5, |w| tensor(w, t));
    }
    for v in &g.inputs {
        w.message(11, |w| value_info(w, v));
    }
    for v in &g.outputs {
        w.message(12, |w| value_info(w, v));
    }
}

fn node(w: &mut Writer, n: &Node) {
    for i in &n.inputs {
        w.string(1, i);
    }
    for o in &n.outputs {
        w.string(2, o);
    }
    w.string(3, &n.name);
    w.string(4, &n.op_type);
    for a in &n.attributes {
        w.message(5, |w| attribute(w, a));
    }
    w.string(7, &n.domain);
}

fn attribute(w: &mut Writer, a: &Attribute) {
    w.string(1, &a.name);
    match &a.value {
        AttrValue::Float(f) => w.float(2, *f),
        AttrValue::Int(i) => w.int64(3, *i),
        AttrValue::String(s) => w.string(4, s),
        AttrValue::Tensor(t) => w.message(5, |w| tensor(w, t)),
        // proto2 repeated scalars without [packed = true]: one key per element.
        AttrValue::Floats(fs) => fs.iter().for_each(|f| w.float(7, *f)),
        AttrValue::Ints(is) => is.iter().for_each(|i| w.int64(8, *i)),
        AttrValue::Strings(ss) => ss.iter().for_each(|s| w.string(9, s)),
    }
    w.int64(20, a.value.type_code());
}

fn tensor(w: &mut Writer, t: &Tensor) {
    for d in &t.dims {
        w.int64(1, *d);
    }
    w.int64(2, t.data.elem() as i64);
    match &t.data {
        TensorData::Float(v) => w.packed(4, v, |b, x| b.extend_from_slice(&x.to_le_bytes())),
        TensorData::String(v) => v.iter().for_each(|s| w.string(6, s)),
        TensorData::Int64(v) => w.packed(7, v, |b, x| varint(b, *x as u64)),
        TensorData::Double(_) => {}
    }
    w.string(8, &t.name);
    if let TensorData::Double(v) = &t.data {
        w.packed(10, v, |b, x| b.extend_from_slice(&x.to_le_bytes()));
    }
}

fn value_info(w: &mut Writer, v: &ValueInfo) {
    w.string(1, &v.name);
    w.message(2, |w| {
        // TypeProto.tensor_type
        w.message(1, |w| {
            w.int64(1, v.elem as i64);
            // TensorShapeProto, one Dimension each
            w.message(2, |w| {
                for d in &v.dims {
                    w.message(1, |w| match d {
                        Dim::Fixed(n) => w.int64(1, *n),
                        Dim::Named(s) => w.string(2, s),
                    });
                }
            });
        });
    });
}

/// Protobuf's wire format: keys and varints, length-delimited fields, fixed-width numbers.
#[derive(Default)]
struct Writer {
    bytes: Vec<u8>,
}

const VARINT: u32 = 0;
const LEN: u32 = 2;
const FIXED32: u32 = 5;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

impl Writer {
    fn key(&mut self, field: u32, wire: u32) {
        varint(&mut self.bytes, u64::from(field << 3 | wire));
    }

    /// An int64 or int32 (a negative one as its ten-byte two's complement, as protobuf does).
    fn int64(&mut self, field: u32, v: i64) {
        self.key(field, VARINT);
        varint(&mut self.bytes, v as u64);
    }

    fn float(&mut self, field: u32, v: f32) {
        self.key(field, FIXED32);
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    fn string(&mut self, field: u32, s: &str) {
        self.len_delimited(field, s.as_bytes());
    }

    fn len_delimited(&mut self, field: u32, data: &[u8]) {
        self.key(field, LEN);
        varint(&mut self.bytes, data.len() as u64);
        self.bytes.extend_from_slice(data);
    }

    /// An embedded message, written by `body`.
    fn message(&mut self, field: u32, body: impl FnOnce(&mut Writer)) {
        let mut inner = Writer::default();
        body(&mut inner);
        self.len_delimited(field, &inner.bytes);
    }

    /// A packed repeated field (`[packed = true]`); nothing when empty, as protobuf writes.
    fn packed<T>(&mut self, field: u32, values: &[T], put: impl Fn(&mut Vec<u8>, &T)) {
        if values.is_empty() {
            return;
        }
        let mut inner = Vec::new();
        for v in values {
            put(&mut inner, v);
        }
        self.len_delimited(field, &inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn node(name: &str, op: &str, domain: &str, inputs: &[&str], outputs: &[&str]) -> Node {
        Node {
            name: name.into(),
            op_type: op.into(),
            domain: domain.into(),
            inputs: strings(inputs),
            outputs: strings(outputs),
            attributes: Vec::new(),
        }
    }

    fn attr(name: &str, value: AttrValue) -> Attribute {
        Attribute {
            name: name.into(),
            value,
        }
    }

    fn info(name: &str, elem: ElemType, dims: &[Dim]) -> ValueInfo {
        ValueInfo {
            name: name.into(),
            elem,
            dims: dims.to_vec(),
        }
    }

    /// The model `scripts/onnx_encoding_reference.py` builds with the onnx package.
    fn reference_model() -> Model {
        let n = || Dim::Named("N".into());
        let mut scale = node("scale", "Scaler", "ai.onnx.ml", &["Y"], &["Z"]);
        scale.attributes = vec![
            attr("offset", AttrValue::Floats(vec![1.0, 2.0])),
            attr("scale", AttrValue::Floats(vec![0.5, 0.25])),
        ];
        let mut enc = node("enc", "OneHotEncoder", "ai.onnx.ml", &["S"], &["H"]);
        enc.attributes = vec![
            attr("cats_strings", AttrValue::Strings(strings(&["a", "b"]))),
            attr("zeros", AttrValue::Int(1)),
        ];
        let mut constant = node("const", "Constant", "", &[], &["C"]);
        constant.attributes = vec![attr(
            "value",
            AttrValue::Tensor(Tensor {
                name: "c".into(),
                dims: vec![3],
                data: TensorData::Int64(vec![1, -1, 7]),
            }),
        )];
        let mut leaky = node("leaky", "LeakyRelu", "", &["X"], &["L"]);
        leaky.attributes = vec![attr("alpha", AttrValue::Float(0.1))];
        let mut transpose = node("transpose", "Transpose", "", &["X"], &["T"]);
        transpose.attributes = vec![attr("perm", AttrValue::Ints(vec![1, 0]))];
        Model {
            ir_version: 8,
            producer_name: "mlwb".into(),
            producer_version: "0.1.0".into(),
            graph: Graph {
                name: "reference".into(),
                nodes: vec![
                    node("add", "Add", "", &["X", "B"], &["Y"]),
                    scale,
                    enc,
                    constant,
                    leaky,
                    transpose,
                ],
                initializers: vec![Tensor {
                    name: "B".into(),
                    dims: vec![2],
                    data: TensorData::Double(vec![0.5, -1.5]),
                }],
                inputs: vec![
                    info("X", ElemType::Double, &[n(), Dim::Fixed(2)]),
                    info("S", ElemType::String, &[n(), Dim::Fixed(1)]),
                ],
                outputs: vec![
                    info("Z", ElemType::Float, &[n(), Dim::Fixed(2)]),
                    info("H", ElemType::Float, &[n(), Dim::Fixed(1), Dim::Fixed(2)]),
                    info("C", ElemType::Int64, &[Dim::Fixed(3)]),
                    info("L", ElemType::Double, &[n(), Dim::Fixed(2)]),
                    info("T", ElemType::Double, &[Dim::Fixed(2), n()]),
                ],
            },
            opsets: vec![(String::new(), 17), ("ai.onnx.ml".into(), 3)],
            metadata: vec![("mlwb".into(), "test".into())],
        }
    }

    /// Reference: onnx 1.23.2's `SerializeToString` of the same model
    /// (`scripts/onnx_encoding_reference.py`, which also checks it with `onnx.checker` and
    /// runs it in onnxruntime 1.31.1).
    const REFERENCE_HEX: &[&str] = &[
        "080812046d6c77621a05302e312e303a8c040a150a01580a01421201591a0361646422034164643a000a4e0a01591201",
        "5a1a057363616c6522065363616c65722a150a066f66667365743d0000803f3d00000040a001062a140a057363616c65",
        "3d0000003f3d0000803ea001063a0a61692e6f6e6e782e6d6c0a4d0a01531201481a03656e63220d4f6e65486f74456e",
        "636f6465722a170a0c636174735f737472696e67734a01614a0162a001082a0c0a057a65726f731801a001023a0a6169",
        "2e6f6e6e782e6d6c0a391201431a05636f6e73742208436f6e7374616e742a210a0576616c75652a15080310073a0c01",
        "ffffffffffffffffff0107420163a001043a000a2b0a015812014c1a056c65616b7922094c65616b7952656c752a0f0a",
        "05616c70686115cdcccc3da001013a000a2d0a01581201541a097472616e73706f736522095472616e73706f73652a0d",
        "0a047065726d40014000a001073a0012097265666572656e63652a190802100b4201425210000000000000e03f000000",
        "000000f8bf5a140a0158120f0a0d080b12090a0312014e0a0208025a140a0153120f0a0d080812090a0312014e0a0208",
        "0162140a015a120f0a0d080112090a0312014e0a02080262180a014812130a110801120d0a0312014e0a0208010a0208",
        "02620f0a0143120a0a08080712040a02080362140a014c120f0a0d080b12090a0312014e0a02080262140a0154120f0a",
        "0d080b12090a0208020a0312014e42040a001011420e0a0a61692e6f6e6e782e6d6c1003720c0a046d6c776212047465",
        "7374",
    ];

    #[test]
    fn the_encoding_matches_onnx_byte_for_byte() {
        let hex: String = REFERENCE_HEX.concat();
        let ours: String = reference_model()
            .to_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(ours, hex);
    }

    #[test]
    fn varints_are_protobufs() {
        let enc = |v: u64| {
            let mut b = Vec::new();
            varint(&mut b, v);
            b
        };
        assert_eq!(enc(0), [0]);
        assert_eq!(enc(1), [1]);
        assert_eq!(enc(300), [0xac, 0x02]);
        assert_eq!(enc(-1i64 as u64).len(), 10);
        assert_eq!(
            enc(u64::MAX),
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        );
    }
}
