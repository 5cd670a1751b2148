namespace Callscope.Core; public static class Placeholder { }
