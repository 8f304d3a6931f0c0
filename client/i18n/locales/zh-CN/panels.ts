// 命名空间 panels 的中文文字。
export default {};
