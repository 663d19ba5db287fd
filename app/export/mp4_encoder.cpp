// The H.264 encoder and MP4 muxer of app/export/mp4_encoder.h, on FFmpeg's libraries.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <cstring>
#include <stdexcept>

#include "app/export/mp4_encoder.h"

namespace convstep {

namespace {

std::string av_message(int error) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(error, text, sizeof text);
  return text;
}

void check(int status, const char* what) {
  if (status < 0) throw std::runtime_error(std::string("MP4: ") + what + ": " + av_message(status));
}

// The MP4 file in memory; the muxer seeks back to fill in sizes.
struct MemoryFile {
  std::string bytes;
  std::size_t at = 0;

  static int write(void* self, std::uint8_t* data, int size) {  // FFmpeg 5.1: not const
    MemoryFile& f = *static_cast<MemoryFile*>(self);
    if (f.at + static_cast<std::size_t>(size) > f.bytes.size())
      f.bytes.resize(f.at + static_cast<std::size_t>(size));
    std::memcpy(f.bytes.data() + f.at, data, static_cast<std::size_t>(size));
    f.at += static_cast<std::size_t>(size);
    return size;
  }
  static std::int64_t seek(void* self, std::int64_t offset, int whence) {
    MemoryFile& f = *static_cast<MemoryFile*>(self);
    if (whence & AVSEEK_SIZE) return static_cast<std::int64_t>(f.bytes.size());
    const std::int64_t base = (whence & 3) == SEEK_CUR   ? static_cast<std::int64_t>(f.at)
                              : (whence & 3) == SEEK_END ? static_cast<std::int64_t>(f.bytes.size())
                                                         : 0;
    if (base + offset < 0) return AVERROR(EINVAL);
    f.at = static_cast<std::size_t>(base + offset);
    return base + offset;
  }
};

// An H.264 encoder and the MP4 muxer around it, freed however the export ends.
class VideoWriter : public VideoEncoder {
 public:
  VideoWriter(int width, int height, int fps) : width_(width), height_(height) {
    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    if (!codec) codec = avcodec_find_encoder(AV_CODEC_ID_H264);
    if (!codec) throw std::runtime_error("MP4: this FFmpeg has no H.264 encoder");
    check(avformat_alloc_output_context2(&format_, nullptr, "mp4", nullptr), "the MP4 muxer");
    format_->flags |= AVFMT_FLAG_BITEXACT;  // no version strings: the same frames, same bytes
    stream_ = avformat_new_stream(format_, nullptr);
    codec_ = avcodec_alloc_context3(codec);
    if (!stream_ || !codec_) throw std::bad_alloc();
    codec_->width = width, codec_->height = height;
    codec_->time_base = AVRational{1, fps};
    codec_->framerate = AVRational{fps, 1};
    codec_->pix_fmt = AV_PIX_FMT_YUV420P;
    codec_->gop_size = fps * 4;
    codec_->flags |= AV_CODEC_FLAG_BITEXACT;
    if (format_->oformat->flags & AVFMT_GLOBALHEADER) codec_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    // Sharp text on flat colours: x264's tuning for animation, at a quality where the digits
    // stay crisp; one thread, the other core draws.
    av_opt_set(codec_->priv_data, "preset", "veryfast", 0);
    av_opt_set(codec_->priv_data, "tune", "animation", 0);
    av_opt_set(codec_->priv_data, "crf", "20", 0);
    codec_->thread_count = 1;
    check(avcodec_open2(codec_, codec, nullptr), "the H.264 encoder");
    check(avcodec_parameters_from_context(stream_->codecpar, codec_), "the stream");
    stream_->time_base = codec_->time_base;

    constexpr int kBuffer = 1 << 16;
    auto* buffer = static_cast<unsigned char*>(av_malloc(kBuffer));
    io_ = avio_alloc_context(buffer, kBuffer, 1, &file_, nullptr, &MemoryFile::write,
                             &MemoryFile::seek);
    if (!io_) {
      av_free(buffer);
      throw std::bad_alloc();
    }
    format_->pb = io_;
    check(avformat_write_header(format_, nullptr), "the MP4 header");

    scaler_ = sws_getContext(width, height, AV_PIX_FMT_RGBA, width, height, AV_PIX_FMT_YUV420P,
                             SWS_POINT, nullptr, nullptr, nullptr);
    frame_ = av_frame_alloc();
    packet_ = av_packet_alloc();
    if (!scaler_ || !frame_ || !packet_) throw std::bad_alloc();
    frame_->format = AV_PIX_FMT_YUV420P;
    frame_->width = width, frame_->height = height;
    check(av_frame_get_buffer(frame_, 0), "a video frame");
  }

  ~VideoWriter() override {
    sws_freeContext(scaler_);
    av_frame_free(&frame_);
    av_packet_free(&packet_);
    avcodec_free_context(&codec_);
    if (io_) {
      av_freep(&io_->buffer);
      avio_context_free(&io_);
    }
    avformat_free_context(format_);
  }
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  // The picture, shown for `frames` frames.
  void picture(const Pixels& rgba, long long frames) override {
    if (frames <= 0) return;
    check(av_frame_make_writable(frame_), "a video frame");
    const std::uint8_t* planes[1] = {rgba.data()};
    const int strides[1] = {width_ * 4};
    sws_scale(scaler_, planes, strides, 0, height_, frame_->data, frame_->linesize);
    for (long long i = 0; i < frames; ++i) {
      frame_->pts = next_pts_++;
      check(avcodec_send_frame(codec_, frame_), "encoding a frame");
      drain();
    }
  }

  std::string finish() override {
    check(avcodec_send_frame(codec_, nullptr), "finishing the video");
    drain();
    check(av_write_trailer(format_), "the MP4 index");
    avio_flush(io_);
    return std::move(file_.bytes);
  }

 private:
  void drain() {
    for (;;) {
      const int status = avcodec_receive_packet(codec_, packet_);
      if (status == AVERROR(EAGAIN) || status == AVERROR_EOF) return;
      check(status, "encoding a frame");
      av_packet_rescale_ts(packet_, codec_->time_base, stream_->time_base);
      packet_->stream_index = stream_->index;
      check(av_interleaved_write_frame(format_, packet_), "writing a frame");
    }
  }

  int width_, height_;
  long long next_pts_ = 0;
  MemoryFile file_;
  AVFormatContext* format_ = nullptr;
  AVStream* stream_ = nullptr;
  AVCodecContext* codec_ = nullptr;
  AVIOContext* io_ = nullptr;
  SwsContext* scaler_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
};

}  // namespace

}  // namespace convstep

extern "C" convstep::VideoEncoder* convstep_open_video(int width, int height, int fps) {
  av_log_set_level(AV_LOG_ERROR);
  return new convstep::VideoWriter(width, height, fps);
}
