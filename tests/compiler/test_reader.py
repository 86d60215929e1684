"""The .tflite reader accepts what TFLM accepts."""
from ai_edge_litert import schema_py_generated as schema

from tests.support.helpers import assert_bit_exact, edit_tflite
from tests.support.schema_model import cnn_model


def test_per_channel_bias_with_its_filters_quantized_dimension(tmp_path):
    """TFLM's person-detection model gives its depthwise biases quantized_dimension = 3 (the filter's axis) on a
    rank-1 tensor; TFLM ignores it, so tinygen must too, and compute the same outputs."""
    def edit(model):
        graph = model.subgraphs[0]
        depthwise = next(op for op in graph.operators
                         if model.operatorCodes[op.opcodeIndex].builtinCode == schema.BuiltinOperator.DEPTHWISE_CONV_2D)
        bias = graph.tensors[depthwise.inputs[2]]
        assert len(bias.shape) == 1 and len(bias.quantization.scale) > 1
        bias.quantization.quantizedDimension = 3

    assert_bit_exact(edit_tflite(cnn_model(3), edit), tmp_path)
