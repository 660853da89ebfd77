// sluice::FunctionRef: a non-owning reference to a callable, for callbacks
// that are only used during the call they are passed to. Cheaper than
// std::function (no allocation). The callable must outlive the call.
#ifndef SLUICE_FUNCTION_REF_H_
#define SLUICE_FUNCTION_REF_H_

#include <type_traits>
#include <utility>

namespace sluice {

template <class Sig>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT: implicit by design
      : obj_(const_cast<void*>(static_cast<const void*>(&f))), call_([](void* o, Args... a) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(a)...);
        }) {}
  R operator()(Args... a) const { return call_(obj_, std::forward<Args>(a)...); }

 private:
  void* obj_;
  R (*call_)(void*, Args...);
};

}  // namespace sluice

#endif  // SLUICE_FUNCTION_REF_H_
