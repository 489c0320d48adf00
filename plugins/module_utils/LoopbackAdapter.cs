// Copyright: contributors to the winnet.routing collection
// GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

// Creates and removes KM-TEST loopback adapters (hardware id *MSLOOP) in-process through SetupAPI,
// with no external binary (no devcon): the steps devcon's "install" and "remove" take.
// Kept to C# 5 (Windows PowerShell 5.1 compiles it with Add-Type).
//
// Create: SetupDiGetINFClass(netloop.inf) -> SetupDiCreateDeviceInfoList -> SetupDiCreateDeviceInfo
// (DICD_GENERATE_ID: a root-enumerated ROOT\NET\#### devnode) -> SPDRP_HARDWAREID "*MSLOOP\0\0"
// -> DI_QUIETINSTALL on the new device (no installer may show UI: the session has no desktop)
// -> SetupDiCallClassInstaller(DIF_REGISTERDEVICE) -> DiInstallDevice on that one device, with the
// best matching driver of the driver store (the inbox netloop.inf). UpdateDriverForPlugAndPlayDevices
// is not used: it installs for every device with the hardware id, so it would reinstall the driver
// of the loopback adapters already there (a DSR loopback carrying VIPs). Returns the new device's
// instance id; a device that fails to install is removed again.
// Remove: SetupDiOpenDeviceInfo(instance id) -> the device's hardware ids must hold *MSLOOP ->
// SetupDiSetClassInstallParams(DIF_REMOVE, DI_REMOVEDEVICE_GLOBAL) -> SetupDiCallClassInstaller
// (DIF_REMOVE) -> DI_NEEDREBOOT / DI_NEEDRESTART.

using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace ansible_collections.winnet.routing.plugins.module_utils.LoopbackAdapter
{
    internal class NativeHelpers
    {
        [StructLayout(LayoutKind.Sequential)]
        public struct SP_DEVINFO_DATA
        {
            public UInt32 cbSize;
            public Guid ClassGuid;
            public UInt32 DevInst;
            public IntPtr Reserved;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct SP_CLASSINSTALL_HEADER
        {
            public UInt32 cbSize;
            public UInt32 InstallFunction;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct SP_REMOVEDEVICE_PARAMS
        {
            public SP_CLASSINSTALL_HEADER ClassInstallHeader;
            public UInt32 Scope;
            public UInt32 HwProfile;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        public struct SP_DEVINSTALL_PARAMS_W
        {
            public UInt32 cbSize;
            public UInt32 Flags;
            public UInt32 FlagsEx;
            public IntPtr hwndParent;
            public IntPtr InstallMsgHandler;
            public IntPtr InstallMsgHandlerContext;
            public IntPtr FileQueue;
            public UIntPtr ClassInstallReserved;
            public UInt32 Reserved;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 260)]
            public string DriverPath;
        }

        public const UInt32 DICD_GENERATE_ID = 0x00000001;
        public const UInt32 SPDRP_HARDWAREID = 0x00000001;
        public const UInt32 DIF_REMOVE = 0x00000005;
        public const UInt32 DIF_REGISTERDEVICE = 0x00000019;
        public const UInt32 DI_REMOVEDEVICE_GLOBAL = 0x00000001;
        public const UInt32 DI_NEEDRESTART = 0x00000080;
        public const UInt32 DI_NEEDREBOOT = 0x00000100;
        public const UInt32 DI_QUIETINSTALL = 0x00800000;
        public const UInt32 DIIDFLAG_NOFINISHINSTALLUI = 0x00000002;
        public const int ERROR_INSUFFICIENT_BUFFER = 122;
    }

    internal class NativeMethods
    {
        [DllImport("setupapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool SetupDiGetINFClassW(
            string InfName,
            out Guid ClassGuid,
            StringBuilder ClassName,
            UInt32 ClassNameSize,
            out UInt32 RequiredSize);

        [DllImport("setupapi.dll", SetLastError = true)]
        public static extern IntPtr SetupDiCreateDeviceInfoList(
            ref Guid ClassGuid,
            IntPtr hwndParent);

        [DllImport("setupapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool SetupDiCreateDeviceInfoW(
            IntPtr DeviceInfoSet,
            string DeviceName,
            ref Guid ClassGuid,
            string DeviceDescription,
            IntPtr hwndParent,
            UInt32 CreationFlags,
            ref NativeHelpers.SP_DEVINFO_DATA DeviceInfoData);

        [DllImport("setupapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool SetupDiOpenDeviceInfoW(
            IntPtr DeviceInfoSet,
            string DeviceInstanceId,
            IntPtr hwndParent,
            UInt32 OpenFlags,
            ref NativeHelpers.SP_DEVINFO_DATA DeviceInfoData);

        [DllImport("setupapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool SetupDiSetDeviceRegistryPropertyW(
            IntPtr DeviceInfoSet,
            ref NativeHelpers.SP_DEVINFO_DATA DeviceInfoData,
            UInt32 Property,
            byte[] PropertyBuffer,
            UInt32 PropertyBufferSize);

        [DllImport("setupapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool SetupDiGetDeviceRegistryPropertyW(
            IntPtr DeviceInfoSet,
            ref NativeHelpers.SP_DEVINFO_DATA DeviceInfoData,
            UInt32 Property,
            out UInt32 PropertyRegDataType,
            byte[] PropertyBuffer,
            UInt32 PropertyBufferSize,
            out UInt32 RequiredSize);

        [DllImport("setupapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool SetupDiGetDeviceInstanceIdW(
            IntPtr DeviceInfoSet,
            ref NativeHelpers.SP_DEVINFO_DATA DeviceInfoData,
            StringBuilder DeviceInstanceId,
            UInt32 DeviceInstanceIdSize,
            out UInt32 RequiredSize);

        [DllImport("setupapi.dll", SetLastError = true)]
        public static extern bool SetupDiCallClassInstaller(
            UInt32 InstallFunction,
            IntPtr DeviceInfoSet,
            ref NativeHelpers.SP_DEVINFO_DATA DeviceInfoData);

        [DllImport("setupapi.dll", SetLastError = true)]
        public static extern bool SetupDiSetClassInstallParamsW(
            IntPtr DeviceInfoSet,
            ref NativeHelpers.SP_DEVINFO_DATA DeviceInfoData,
            ref NativeHelpers.SP_REMOVEDEVICE_PARAMS ClassInstallParams,
            UInt32 ClassInstallParamsSize);

        [DllImport("setupapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool SetupDiGetDeviceInstallParamsW(
            IntPtr DeviceInfoSet,
            ref NativeHelpers.SP_DEVINFO_DATA DeviceInfoData,
            ref NativeHelpers.SP_DEVINSTALL_PARAMS_W DeviceInstallParams);

        [DllImport("setupapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool SetupDiSetDeviceInstallParamsW(
            IntPtr DeviceInfoSet,
            ref NativeHelpers.SP_DEVINFO_DATA DeviceInfoData,
            ref NativeHelpers.SP_DEVINSTALL_PARAMS_W DeviceInstallParams);

        [DllImport("setupapi.dll", SetLastError = true)]
        public static extern bool SetupDiDestroyDeviceInfoList(
            IntPtr DeviceInfoSet);

        [DllImport("newdev.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool DiInstallDevice(
            IntPtr hwndParent,
            IntPtr DeviceInfoSet,
            ref NativeHelpers.SP_DEVINFO_DATA DeviceInfoData,
            IntPtr DriverInfoData,
            UInt32 Flags,
            out bool NeedReboot);
    }

    /// <summary>What a create or remove did.</summary>
    public class LoopbackResult
    {
        /// <summary>PnP instance id of the device (ROOT\NET\####); the adapter's PnPDeviceID.</summary>
        public string InstanceId;

        /// <summary>Windows asked for a reboot to complete the change.</summary>
        public bool RebootRequired;
    }

    /// <summary>A SetupAPI or newdev call failed; NativeErrorCode is its GetLastError value.</summary>
    public class LoopbackAdapterException : Win32Exception
    {
        public LoopbackAdapterException(string function, int error)
            : base(error, String.Format("{0} failed: {1} (Win32 error 0x{2:X8})", function, new Win32Exception(error).Message, error))
        {
        }
    }

    public static class LoopbackAdapter
    {
        /// <summary>The hardware id of the KM-TEST loopback adapter, independent of the display language.</summary>
        public const string HardwareId = "*MSLOOP";

        private static readonly IntPtr InvalidHandle = new IntPtr(-1);

        /// <summary>Full path of the inbox loopback driver's INF.</summary>
        public static string InfPath()
        {
            string windows = Environment.GetEnvironmentVariable("WINDIR");
            if (String.IsNullOrEmpty(windows))
            {
                windows = Environment.GetFolderPath(Environment.SpecialFolder.Windows);
            }
            return Path.Combine(Path.Combine(windows, "inf"), "netloop.inf");
        }

        /// <summary>Create one KM-TEST loopback adapter; returns its instance id.</summary>
        public static LoopbackResult Create()
        {
            string infPath = InfPath();
            if (!File.Exists(infPath))
            {
                throw new FileNotFoundException("The loopback driver's INF was not found", infPath);
            }

            Guid classGuid;
            UInt32 required;
            StringBuilder className = new StringBuilder(256);
            if (!NativeMethods.SetupDiGetINFClassW(infPath, out classGuid, className, (UInt32)className.Capacity, out required))
            {
                throw new LoopbackAdapterException("SetupDiGetINFClassW", Marshal.GetLastWin32Error());
            }

            IntPtr deviceInfoSet = NativeMethods.SetupDiCreateDeviceInfoList(ref classGuid, IntPtr.Zero);
            if (deviceInfoSet == InvalidHandle)
            {
                throw new LoopbackAdapterException("SetupDiCreateDeviceInfoList", Marshal.GetLastWin32Error());
            }

            LoopbackResult result = new LoopbackResult();
            try
            {
                NativeHelpers.SP_DEVINFO_DATA deviceInfo = NewDeviceInfoData();
                if (!NativeMethods.SetupDiCreateDeviceInfoW(deviceInfoSet, className.ToString(), ref classGuid, null, IntPtr.Zero,
                        NativeHelpers.DICD_GENERATE_ID, ref deviceInfo))
                {
                    throw new LoopbackAdapterException("SetupDiCreateDeviceInfoW", Marshal.GetLastWin32Error());
                }

                // REG_MULTI_SZ: the list ends with an empty string, so two NULs follow the last id.
                byte[] hardwareIds = Encoding.Unicode.GetBytes(HardwareId + "\0\0");
                if (!NativeMethods.SetupDiSetDeviceRegistryPropertyW(deviceInfoSet, ref deviceInfo, NativeHelpers.SPDRP_HARDWAREID, hardwareIds,
                        (UInt32)hardwareIds.Length))
                {
                    throw new LoopbackAdapterException("SetupDiSetDeviceRegistryPropertyW", Marshal.GetLastWin32Error());
                }

                SetQuiet(deviceInfoSet, ref deviceInfo);

                if (!NativeMethods.SetupDiCallClassInstaller(NativeHelpers.DIF_REGISTERDEVICE, deviceInfoSet, ref deviceInfo))
                {
                    throw new LoopbackAdapterException("SetupDiCallClassInstaller(DIF_REGISTERDEVICE)", Marshal.GetLastWin32Error());
                }

                result.InstanceId = GetInstanceId(deviceInfoSet, ref deviceInfo);

                bool rebootRequired;
                if (!NativeMethods.DiInstallDevice(IntPtr.Zero, deviceInfoSet, ref deviceInfo, IntPtr.Zero, NativeHelpers.DIIDFLAG_NOFINISHINSTALLUI,
                        out rebootRequired))
                {
                    int error = Marshal.GetLastWin32Error();
                    // Do not leave a registered devnode without a driver behind; the install error is
                    // the one reported.
                    try
                    {
                        RemoveDevice(deviceInfoSet, ref deviceInfo);
                    }
                    catch (LoopbackAdapterException)
                    {
                    }
                    throw new LoopbackAdapterException(String.Format("DiInstallDevice({0})", result.InstanceId), error);
                }
                result.RebootRequired = rebootRequired;
            }
            finally
            {
                NativeMethods.SetupDiDestroyDeviceInfoList(deviceInfoSet);
            }
            return result;
        }

        /// <summary>The hardware ids of a device by instance id (an empty array when it has none).</summary>
        public static string[] GetHardwareIds(string instanceId)
        {
            IntPtr deviceInfoSet = OpenDeviceInfoSet();
            try
            {
                NativeHelpers.SP_DEVINFO_DATA deviceInfo = OpenDevice(deviceInfoSet, instanceId);
                return ReadHardwareIds(deviceInfoSet, ref deviceInfo);
            }
            finally
            {
                NativeMethods.SetupDiDestroyDeviceInfoList(deviceInfoSet);
            }
        }

        /// <summary>Remove the device with this instance id; refuses any device whose hardware ids lack *MSLOOP.</summary>
        public static LoopbackResult Remove(string instanceId)
        {
            if (String.IsNullOrEmpty(instanceId))
            {
                throw new ArgumentException("An instance id is required", "instanceId");
            }
            IntPtr deviceInfoSet = OpenDeviceInfoSet();
            LoopbackResult result = new LoopbackResult();
            result.InstanceId = instanceId;
            try
            {
                NativeHelpers.SP_DEVINFO_DATA deviceInfo = OpenDevice(deviceInfoSet, instanceId);
                string[] hardwareIds = ReadHardwareIds(deviceInfoSet, ref deviceInfo);
                bool isLoopback = false;
                foreach (string id in hardwareIds)
                {
                    if (String.Equals(id, HardwareId, StringComparison.OrdinalIgnoreCase))
                    {
                        isLoopback = true;
                    }
                }
                if (!isLoopback)
                {
                    throw new InvalidOperationException(String.Format(
                        "Refusing to remove device {0}: its hardware ids ({1}) do not include {2}", instanceId,
                        String.Join(", ", hardwareIds), HardwareId));
                }
                SetQuiet(deviceInfoSet, ref deviceInfo);
                result.RebootRequired = RemoveDevice(deviceInfoSet, ref deviceInfo);
            }
            finally
            {
                NativeMethods.SetupDiDestroyDeviceInfoList(deviceInfoSet);
            }
            return result;
        }

        // DI_QUIETINSTALL: the device installer functions and the class installers show no UI and
        // take the default choices (the equivalent of INSTALLFLAG_NONINTERACTIVE for one device).
        private static void SetQuiet(IntPtr deviceInfoSet, ref NativeHelpers.SP_DEVINFO_DATA deviceInfo)
        {
            NativeHelpers.SP_DEVINSTALL_PARAMS_W installParams = new NativeHelpers.SP_DEVINSTALL_PARAMS_W();
            installParams.cbSize = (UInt32)Marshal.SizeOf(typeof(NativeHelpers.SP_DEVINSTALL_PARAMS_W));
            if (!NativeMethods.SetupDiGetDeviceInstallParamsW(deviceInfoSet, ref deviceInfo, ref installParams))
            {
                throw new LoopbackAdapterException("SetupDiGetDeviceInstallParamsW", Marshal.GetLastWin32Error());
            }
            installParams.Flags |= NativeHelpers.DI_QUIETINSTALL;
            if (!NativeMethods.SetupDiSetDeviceInstallParamsW(deviceInfoSet, ref deviceInfo, ref installParams))
            {
                throw new LoopbackAdapterException("SetupDiSetDeviceInstallParamsW", Marshal.GetLastWin32Error());
            }
        }

        private static NativeHelpers.SP_DEVINFO_DATA NewDeviceInfoData()
        {
            NativeHelpers.SP_DEVINFO_DATA deviceInfo = new NativeHelpers.SP_DEVINFO_DATA();
            deviceInfo.cbSize = (UInt32)Marshal.SizeOf(typeof(NativeHelpers.SP_DEVINFO_DATA));
            return deviceInfo;
        }

        private static IntPtr OpenDeviceInfoSet()
        {
            Guid classGuid;
            UInt32 required;
            StringBuilder className = new StringBuilder(256);
            if (!NativeMethods.SetupDiGetINFClassW(InfPath(), out classGuid, className, (UInt32)className.Capacity, out required))
            {
                throw new LoopbackAdapterException("SetupDiGetINFClassW", Marshal.GetLastWin32Error());
            }
            IntPtr deviceInfoSet = NativeMethods.SetupDiCreateDeviceInfoList(ref classGuid, IntPtr.Zero);
            if (deviceInfoSet == InvalidHandle)
            {
                throw new LoopbackAdapterException("SetupDiCreateDeviceInfoList", Marshal.GetLastWin32Error());
            }
            return deviceInfoSet;
        }

        private static NativeHelpers.SP_DEVINFO_DATA OpenDevice(IntPtr deviceInfoSet, string instanceId)
        {
            NativeHelpers.SP_DEVINFO_DATA deviceInfo = NewDeviceInfoData();
            if (!NativeMethods.SetupDiOpenDeviceInfoW(deviceInfoSet, instanceId, IntPtr.Zero, 0, ref deviceInfo))
            {
                throw new LoopbackAdapterException(String.Format("SetupDiOpenDeviceInfoW({0})", instanceId), Marshal.GetLastWin32Error());
            }
            return deviceInfo;
        }

        private static string GetInstanceId(IntPtr deviceInfoSet, ref NativeHelpers.SP_DEVINFO_DATA deviceInfo)
        {
            UInt32 required;
            StringBuilder instanceId = new StringBuilder(1024);
            if (!NativeMethods.SetupDiGetDeviceInstanceIdW(deviceInfoSet, ref deviceInfo, instanceId, (UInt32)instanceId.Capacity, out required))
            {
                throw new LoopbackAdapterException("SetupDiGetDeviceInstanceIdW", Marshal.GetLastWin32Error());
            }
            return instanceId.ToString();
        }

        private static string[] ReadHardwareIds(IntPtr deviceInfoSet, ref NativeHelpers.SP_DEVINFO_DATA deviceInfo)
        {
            UInt32 dataType;
            UInt32 required;
            byte[] buffer = new byte[1024];
            if (!NativeMethods.SetupDiGetDeviceRegistryPropertyW(deviceInfoSet, ref deviceInfo, NativeHelpers.SPDRP_HARDWAREID, out dataType,
                    buffer, (UInt32)buffer.Length, out required))
            {
                int error = Marshal.GetLastWin32Error();
                if (error != NativeHelpers.ERROR_INSUFFICIENT_BUFFER)
                {
                    // A device without the property (error 13, ERROR_INVALID_DATA) has no hardware id.
                    return new string[0];
                }
                buffer = new byte[required];
                if (!NativeMethods.SetupDiGetDeviceRegistryPropertyW(deviceInfoSet, ref deviceInfo, NativeHelpers.SPDRP_HARDWAREID, out dataType,
                        buffer, (UInt32)buffer.Length, out required))
                {
                    throw new LoopbackAdapterException("SetupDiGetDeviceRegistryPropertyW(SPDRP_HARDWAREID)", Marshal.GetLastWin32Error());
                }
            }
            string text = Encoding.Unicode.GetString(buffer, 0, (int)Math.Min(required, (UInt32)buffer.Length));
            return text.Split(new char[] { '\0' }, StringSplitOptions.RemoveEmptyEntries);
        }

        // DIF_REMOVE with DI_REMOVEDEVICE_GLOBAL; returns whether Windows asks for a reboot.
        private static bool RemoveDevice(IntPtr deviceInfoSet, ref NativeHelpers.SP_DEVINFO_DATA deviceInfo)
        {
            NativeHelpers.SP_REMOVEDEVICE_PARAMS parameters = new NativeHelpers.SP_REMOVEDEVICE_PARAMS();
            parameters.ClassInstallHeader.cbSize = (UInt32)Marshal.SizeOf(typeof(NativeHelpers.SP_CLASSINSTALL_HEADER));
            parameters.ClassInstallHeader.InstallFunction = NativeHelpers.DIF_REMOVE;
            parameters.Scope = NativeHelpers.DI_REMOVEDEVICE_GLOBAL;
            parameters.HwProfile = 0;
            if (!NativeMethods.SetupDiSetClassInstallParamsW(deviceInfoSet, ref deviceInfo, ref parameters,
                    (UInt32)Marshal.SizeOf(typeof(NativeHelpers.SP_REMOVEDEVICE_PARAMS))))
            {
                throw new LoopbackAdapterException("SetupDiSetClassInstallParamsW(DIF_REMOVE)", Marshal.GetLastWin32Error());
            }
            if (!NativeMethods.SetupDiCallClassInstaller(NativeHelpers.DIF_REMOVE, deviceInfoSet, ref deviceInfo))
            {
                throw new LoopbackAdapterException("SetupDiCallClassInstaller(DIF_REMOVE)", Marshal.GetLastWin32Error());
            }
            NativeHelpers.SP_DEVINSTALL_PARAMS_W installParams = new NativeHelpers.SP_DEVINSTALL_PARAMS_W();
            installParams.cbSize = (UInt32)Marshal.SizeOf(typeof(NativeHelpers.SP_DEVINSTALL_PARAMS_W));
            if (!NativeMethods.SetupDiGetDeviceInstallParamsW(deviceInfoSet, ref deviceInfo, ref installParams))
            {
                // The device is gone; only the reboot hint could not be read.
                return false;
            }
            return (installParams.Flags & (NativeHelpers.DI_NEEDREBOOT | NativeHelpers.DI_NEEDRESTART)) != 0;
        }
    }
}
