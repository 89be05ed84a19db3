"""What a video's bitstream itself may carry, and how the public copy is rid of it.

A clean container is not enough: H.264 and HEVC carry SEI messages inside the video
packets (``user_data_unregistered`` holds whatever a camera or app wrote: AVCHD cameras
put the time, GPS position and serial number there; encoders put their name and every
setting), AV1 has metadata OBUs and MPEG-2 user data. Each stream of the public copy
goes through one of:

- **filtered** (H.264, HEVC, AV1, MPEG-2): FFmpeg's ``filter_units`` bitstream filter
  drops those units from every packet, packets otherwise untouched; the codec
  configuration in the container (``hvcC`` and ``av1C`` may hold SEI and metadata OBUs,
  libx265 puts its settings there) is rewritten without them by
  :mod:`intake.media.codec_config`. HEVC loses its HDR mastering-display SEI with the
  rest; the colour description in its SPS stays;
- **copied** (VP8, VP9, H.263, and audio): their syntax has no user data;
- **re-encoded** to H.264 (any other video codec, e.g. MPEG-4 Part 2 whose user data
  holds free text, or Motion JPEG whose frames may hold EXIF): decoded, encoded again
  with libx264 (which keeps its SPS and PPS in the extradata and its settings SEI in the
  first packet), whose packets the filter then rids of that SEI.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import av
import av.container
import av.stream
from av.bitstream import BitStreamFilterContext

from intake.media.codec_config import without_metadata

FILTERS = {
    "h264": "filter_units=remove_types=6",  # SEI
    "hevc": "filter_units=remove_types=39|40",  # prefix and suffix SEI
    "av1": "filter_units=remove_types=5",  # metadata OBUs
    "mpeg2video": "filter_units=remove_types=178",  # user_data (start code 0xB2)
}
NOTHING_IN_BAND = frozenset({"vp8", "vp9", "h263"})
"""Video codecs whose bitstream has no syntax for user data: copied as they are."""
REENCODE_CODEC = "libx264"
REENCODE_OPTIONS = {"crf": "20", "preset": "veryfast"}
if TYPE_CHECKING:
    Packet: TypeAlias = av.Packet[Any]
else:
    Packet = av.Packet


class StreamCopy(Protocol):
    """One stream of the public copy: packets of the source in, clean packets out."""

    def send(self, packet: Packet | None) -> list[Packet]:
        """The packets to mux for ``packet`` (``None``: the end, drain what is held)."""


class Copied:
    def __init__(self, target: av.stream.Stream) -> None:
        self._target = target

    def send(self, packet: Packet | None) -> list[Packet]:
        if packet is None:
            return []
        packet.stream = self._target
        return [packet]


class Filtered:
    """Packets through a bitstream filter. Given the ``source`` stream, the filter reads
    its extradata too and writes the cleaned one into ``target``; given a codec name, it
    sees packets only (an encoder's own extradata is left as the encoder made it)."""

    def __init__(self, description: str, source: av.stream.Stream | str,
                 target: av.stream.Stream) -> None:  # fmt: skip
        rewrites = None if isinstance(source, str) else target
        self._filter = BitStreamFilterContext(description, source, rewrites)
        self._target = target
        if not isinstance(source, str) and target.codec_context is not None:
            context = target.codec_context  # the muxer takes it from here
            codec = source.codec_context.name
            context.extradata = without_metadata(codec, context.extradata or b"")

    def send(self, packet: Packet | None) -> list[Packet]:
        cleaned = self._filter.filter(packet)
        for out in cleaned:
            out.stream = self._target
        return cleaned


class Reencoded:
    """Frames decoded from the source and encoded again as H.264, then filtered."""

    def __init__(self, source: av.VideoStream, target: av.container.OutputContainer) -> None:
        self._decoder = source.codec_context
        self._decoder.flush_buffers()
        rate = source.average_rate or source.guessed_rate or Fraction(30)
        encoder = target.add_stream(REENCODE_CODEC, rate=rate, options=REENCODE_OPTIONS)
        assert isinstance(encoder, av.VideoStream)
        self._encoder = encoder
        self._encoder.width = self._decoder.width
        self._encoder.height = self._decoder.height
        self._encoder.pix_fmt = "yuv420p"
        self._time_base = source.time_base
        self._filter = Filtered(FILTERS["h264"], "h264", self._encoder)

    def send(self, packet: Packet | None) -> list[Packet]:
        out: list[Packet] = []
        for frame in self._decoder.decode(packet):
            picture = frame.reformat(format="yuv420p")
            picture.pts, picture.time_base = frame.pts, frame.time_base or self._time_base
            for encoded in self._encoder.encode(picture):
                out += self._filter.send(encoded)
        if packet is None:
            for encoded in self._encoder.encode(None):
                out += self._filter.send(encoded)
            out += self._filter.send(None)
        return out


def stream_copy(source: av.stream.Stream, target: av.container.OutputContainer) -> StreamCopy:
    """How ``source`` goes into ``target``: filtered, copied or re-encoded (see above)."""
    name = source.codec_context.name
    if source.type == "video" and name not in FILTERS and name not in NOTHING_IN_BAND:
        assert isinstance(source, av.VideoStream)
        return Reencoded(source, target)
    copy = target.add_stream_from_template(source)
    copy.metadata.clear()
    if name in FILTERS:
        return Filtered(FILTERS[name], source, copy)
    return Copied(copy)
