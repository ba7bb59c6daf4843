package im.protocol;

import java.util.ArrayList;
import java.util.List;

/** Records every decoder callback in order, as a frame or a tagged string. */
class RecordingListener implements TcpFrameDecoder.Listener {

  final List<Object> events = new ArrayList<>();
  final List<Frame> frames = new ArrayList<>();
  final List<String> badFrames = new ArrayList<>();
  ErrorCode fatalCode;
  String fatalReason;

  @Override
  public void onFrame(Frame frame) {
    frames.add(frame);
    events.add(frame);
  }

  @Override
  public void onBadFrame(String reason) {
    badFrames.add(reason);
    events.add("bad:" + reason);
  }

  @Override
  public void onFatal(ErrorCode code, String reason) {
    if (fatalCode != null) {
      throw new AssertionError("onFatal called twice");
    }
    fatalCode = code;
    fatalReason = reason;
    events.add("fatal:" + code);
  }
}
